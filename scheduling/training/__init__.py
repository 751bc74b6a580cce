"""Training: courses with their sessions (when, where or which link, who trains), the agents
invited (one by one or a whole team), attendance (the agent's check-in or the lead's mark),
material links, and new-business training assigned to a team before a date.

It lives in `scheduling` beside briefings and attendance: a training session is time off the
phones at a set hour, planned with the schedule and counted like attendance.
"""
