"""Leads that arrive by themselves: capture, attribution, duplicates, merge, assignment."""
