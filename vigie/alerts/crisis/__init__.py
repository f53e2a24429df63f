"""Crisis rooms: opened by hand or from an alert, with their cell, playbook, timeline and
statements, closed with a post-mortem and corrective actions.

``actions`` holds the writes, ``views`` the pages (mounted by ``vigie/alerts/urls.py`` under
``/alerts/crises/`` and ``/alerts/actions/``), ``report`` the post-mortem PDF. The reads are in
``vigie.alerts.queries`` (the management report of ``vigie.insights`` reads crises there too);
the models and forms are the alerts app's.
"""
