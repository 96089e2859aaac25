"""What the record says about the forecasters: the accuracy summary (grouped in SQL, so its
memory does not grow with the number of predictions) and its calibration chart.
"""
