"""The deterministic demo generator: plain records, no database.

``generate(seed, size, now)`` (in ``mentions``) yields ``MentionRecord`` values in chronological
order, each with its author, its platform payload, its analysis ground truth and, when it needs
handling, its case with replies and audit steps. The same seed, size and reference time always give
the same records; the stream is lazy, so a million mentions never sit in memory at once (only a
bounded pool of recent authors and thread starters is kept).

One module per concern; importers name the module that owns a name (nothing is re-exported here):

- ``mentions``: ``generate`` and the generator drawing one mention at a time from its parts;
- ``records``: the records yielded (mention, author, case, reply, audit step) and the case verbs;
- ``timeline``: mentions per day and times of day, the crisis calendar (``CRISIS_DAYS``);
- ``people``: the cast and passers-by who write, and their author record on each platform;
- ``texts``: phrase-bank composition of every kind of text;
- ``metrics``: rating, fetch delay, engagement and priority score;
- ``payloads``: external ids, URLs and raw payloads shaped like each platform's API;
- ``cases``: which mentions open a case, and each case lived forward up to "now";
- ``weights``, ``draws``, ``ids``, ``state``: the tables, the seeded draws, the id and date formats,
  and the state the parts share.

Every draw comes from one ``random.Random`` in a fixed order: moving code between these modules is
safe, reordering calls is not (the demo and its tests expect the same records, byte for byte).
"""
