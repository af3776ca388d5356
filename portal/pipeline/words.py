"""Internal codes in the seller's words: a demo's recipe by its title, why a run failed or an
upload was refused as a phrase ("the file's text encoding")."""

from __future__ import annotations

import sandbox

# Why a demo run failed (the runner's categories) or an upload was refused (ingest and quota
# codes), completing "failed because of …" / "refused because of …".
REASONS = {
    "bad_encoding": "the file's text encoding",
    "unicode": "the file's text encoding",
    "bad_data": "data that cannot support the analysis",
    "missing_column": "a column the demo needs was missing",
    "mapping": "columns that did not fit the demo",
    "timeout": "running out of time",
    "memory": "running out of memory",
    "disk": "running out of disk space",
    "worker_lost": "the demo worker stopping",
    "internal": "an error on our side",
    "too_large": "a file over the size limit",
    "too_many_rows": "too many rows",
    "too_many_columns": "too many columns",
    "empty": "an empty file",
    "not_tabular": "a file that is not a table",
    "unreadable": "a file we could not read as a table",
    "bad_json": "JSON that is not a table",
    "bad_xlsx": "a damaged Excel file",
    "no_sheet": "an Excel file without a sheet",
    "zip_bomb": "a suspiciously compressed Excel file",
    "too_deep": "JSON nested too deeply",
    "bad_filename": "a file name we cannot use",
    "bytes": "the storage quota being full",
    "uploads_per_hour": "too many uploads in an hour",
    "concurrent_runs": "too many demos at once",
}


def reason_words(code: str | None) -> str:
    if not code:
        return "an unknown reason"
    return REASONS.get(code, code.replace("_", " "))


def recipe_title(name: str | None) -> str:
    """The demo's title ("Demand radar"), or the code when no such recipe is installed."""
    if not name:
        return "an unknown demo"
    try:
        return sandbox.get_recipe(name).title or name.replace("_", " ")
    except sandbox.NotFound:
        return name.replace("_", " ")


ROLE_WORDS = {
    "champion": "champion",
    "decision_maker": "decision-maker",
    "finance": "finance",
    "it_security": "IT / security",
    "user": "user",
    "other": "another role",
}
SCOPE_WORDS = {"account": "with the committee", "link": "through a read-only link"}
AUTO_WORDS = {
    "own_data_demo": "by itself, after a demo on their own data",
    "reference_call": "by itself, after a reference call",
    "quote_accepted": "by itself, after a quote was accepted",
    "order_paid": "by itself, after an order was paid",
}
ROOM_KINDS = frozenset(
    {
        "committee_invited",
        "committee_joined",
        "committee_role_set",
        "committee_member_removed",
        "shortlist_added",
        "shortlist_commented",
        "result_shared",
        "shared_result_viewed",
        "result_share_revoked",
        "plan_step_added",
        "plan_step_accepted",
        "plan_step_removed",
        "plan_step_done",
        "reference_call_held",
    }
)


def room_sentence(kind: str, p: dict, who: str, product: str | None, step: str | None) -> str:
    """A room event (invitations, shortlist, shares, plan changes) in words."""
    thing = product or "a product"
    named = f"“{step}”" if step else "a step"
    role = ROLE_WORDS.get(p.get("role") or "", "")
    texts = {
        "committee_invited": f"{who} invited a colleague to the buying room",
        "committee_joined": f"{who} joined the buying committee" + (f" as {role}" if role else ""),
        "committee_role_set": f"{who} is the committee's {role or 'member'}",
        "committee_member_removed": f"{who} removed someone from the buying room",
        "shortlist_added": f"{who} shortlisted {thing}",
        "shortlist_commented": f"{who} commented on {thing} in the shortlist",
        "result_shared": f"{who} shared a {thing} demo result "
        + SCOPE_WORDS.get(p.get("scope") or "", ""),
        "shared_result_viewed": (
            f"Someone opened a {thing} demo result shared through a link"
            if p.get("via") == "link"
            else f"{who} opened a {thing} demo result shared with the committee"
        ),
        "result_share_revoked": f"{who} stopped sharing a {thing} demo result",
        "plan_step_added": f"{who} added {named} to the evaluation plan",
        "plan_step_accepted": f"{who} accepted the seller's proposed step {named}",
        "plan_step_removed": f"{who} removed a step from the evaluation plan",
        "plan_step_done": (
            f"Plan step {named} completed {AUTO_WORDS[p['auto']]}"
            if p.get("auto") in AUTO_WORDS
            else f"{who} ticked off plan step {named}"
        ),
        "reference_call_held": f"{who} held a reference call about {thing}",
    }
    return texts[kind].strip()
