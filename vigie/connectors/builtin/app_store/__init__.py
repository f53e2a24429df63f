"""App Store Connect: the customer reviews of one iOS app; developer responses."""
