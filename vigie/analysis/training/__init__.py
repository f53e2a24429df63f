"""Training, shared featurisation and evaluation of Vigie's shipped text models."""
