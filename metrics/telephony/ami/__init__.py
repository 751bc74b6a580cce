"""Asterisk's Manager Interface: the live source (follower) and the client both halves share."""
