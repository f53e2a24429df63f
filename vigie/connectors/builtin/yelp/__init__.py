"""Yelp Fusion: the review excerpts of one business."""
