"""Coaching: sessions a coach holds with an agent (from an evaluation, an appeal's outcome, a
calibration result, or on their own), the actions they agree with due dates, the agent's
acknowledgement and the coach's follow-up of each action."""
