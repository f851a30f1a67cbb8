// Finds the INTERVENED_IN edge of an intervention record when a corrected row moves it.
CREATE RANGE INDEX intervened_in_record_no IF NOT EXISTS
FOR ()-[r:INTERVENED_IN]-() ON (r.record_no)
