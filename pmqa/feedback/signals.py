"""What the Feedback Report's services announce to the apps above them."""

from django.dispatch import Signal

# Sent once a publication or a correction of a published report has committed, with
# `assessment_id`; the reports app then prints and stores the report's files.
report_issued = Signal()
