"""Predictions in and out as data: the JSON prediction object (records), export and import
files in JSON and CSV (transfer, jsonfile), and the checks only files need (importchecks).
News in: pages and feeds fetched within limits (fetch), a page's article and metadata
(webpage), RSS and Atom items (feeds).
"""
