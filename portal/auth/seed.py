"""Demo users with known passwords (printed by ``make run``)."""

from portal.auth.services import create_user, find_user_by_email

DEMO_PASSWORD = "testdrive-demo-2026"

DEMO_USERS = (
    # email, name, role, company
    ("admin@northwind.example", "Alex Admin", "admin", "Northwind Analytics"),
    ("seller@northwind.example", "Sam Seller", "seller", "Northwind Analytics"),
    ("customer@acme.example", "Casey Customer", "buyer", "Acme Logistics"),
    ("dana@globex.example", "Dana Prospect", "buyer", "Globex"),
    ("lee@initech.example", "Lee Prospect", "buyer", "Initech"),
)


def seed_users() -> list[str]:
    """Create the demo users once; return the login lines to print."""
    lines = []
    for email, name, role, company in DEMO_USERS:
        if find_user_by_email(email) is None:
            create_user(
                email, DEMO_PASSWORD, name=name, role=role, company=company, tracking_consent=True
            )
        lines.append(f"  {role:<7} {email:<28} password: {DEMO_PASSWORD}")
    return ["Demo logins:", *lines]
