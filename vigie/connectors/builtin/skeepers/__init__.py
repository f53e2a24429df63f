"""Skeepers (Avis Vérifiés): product and site reviews of one website."""
