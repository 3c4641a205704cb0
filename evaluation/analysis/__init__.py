"""Analysis: change, trend and status, uptake, disclosure control, the stored round
result and the national aggregation."""
