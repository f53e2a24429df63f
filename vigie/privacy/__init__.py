"""The GDPR duties of the desk: retention, data subject requests, the records of processing."""
