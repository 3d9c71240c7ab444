"""Analytics shown on other blueprints' pages: the dashboard and a habit's own page."""

from ..models import Habit, User


def dashboard_panel(user: User) -> dict:
    """Context for templates/analytics/_dashboard.html."""
    return {}


def habit_panel(user: User, habit: Habit) -> dict:
    """Context for templates/analytics/_habit.html."""
    return {}
