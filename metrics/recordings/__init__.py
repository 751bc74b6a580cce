"""Call recordings: the stores a source keeps them in, streaming them, who listened."""
