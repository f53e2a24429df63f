"""Evidence of defamatory or insulting posts: captures, signed manifests, timestamps, legal file, legal hold."""
