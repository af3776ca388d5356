"""The demo voices' content: customers, purchases, testimonials, stories, reference
profiles and questions (used by ``seed.py``)."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_SLUGS = ("pipeline-lens", "data-doctor", "demand-radar", "segment-studio")


@dataclass(frozen=True)
class DemoCustomer:
    key: str
    name: str
    email: str
    company: str
    industry: str
    size: str
    role: str


CUSTOMERS = [
    DemoCustomer("priya", "Priya Raman", "priya.raman@harborline.example", "Harborline Freight",
                 "logistics", "201-1000", "VP Sales Operations"),
    DemoCustomer("marcus", "Marcus Webb", "marcus.webb@brightcart.example", "BrightCart",
                 "retail", "51-200", "Head of Growth"),
    DemoCustomer("sofia", "Sofia Lindqvist", "sofia.lindqvist@nordhaus-tools.example",
                 "Nordhaus Tools", "manufacturing", "1001-5000", "Demand Planning Lead"),
    DemoCustomer("daniel", "Daniel Okafor", "daniel.okafor@ledgerleaf.example", "LedgerLeaf",
                 "software", "51-200", "Revenue Operations Manager"),
    DemoCustomer("hannah", "Hannah Schmidt", "hannah.schmidt@alpenbank.example", "Alpenbank",
                 "financial", "5001+", "Data Governance Manager"),
    DemoCustomer("tomas", "Tomás Herrera", "tomas.herrera@clinicaverde.example",
                 "Clínica Verde Group", "healthcare", "201-1000", "CRM Manager"),
    DemoCustomer("aisha", "Aisha Bello", "aisha.bello@meridian-advisory.example",
                 "Meridian Advisory", "professional", "1-50", "Managing Partner"),
    DemoCustomer("kenji", "Kenji Watanabe", "kenji.watanabe@kitsune-outdoor.example",
                 "Kitsune Outdoor", "retail", "201-1000", "Supply Chain Analyst"),
    DemoCustomer("rachel", "Rachel Cohen", "rachel.cohen@brightpath-learning.example",
                 "BrightPath Learning", "education", "51-200", "Director of Marketing"),
    DemoCustomer("oliver", "Oliver Grant", "oliver.grant@coastal-county.example",
                 "Coastal County Council", "public", "1001-5000", "Head of Digital Services"),
    DemoCustomer("lena", "Lena Fischer", "lena.fischer@vektor-parts.example", "Vektor Parts",
                 "manufacturing", "201-1000", "Sales Director"),
    DemoCustomer("felix", "Felix Novak", "felix.novak@quanta-insure.example", "Quanta Insurance",
                 "financial", "1001-5000", "Head of Data Engineering"),
    DemoCustomer("nadia", "Nadia Haddad", "nadia.haddad@greenleaf-grocers.example",
                 "Greenleaf Grocers", "retail", "1001-5000", "Head of Supply Planning"),
    DemoCustomer("ben", "Ben Carter", "ben.carter@summitcloud.example", "Summit Cloud",
                 "software", "201-1000", "Chief Financial Officer"),
    # The demo login from the user seeder: a customer with an introduction waiting.
    DemoCustomer("casey", "Casey Customer", "customer@acme.example", "Acme Logistics",
                 "logistics", "201-1000", "Sales Operations Manager"),
]  # fmt: skip

# (customer, product slug, days ago the order was paid)
PURCHASES = [
    ("priya", "pipeline-lens", 410), ("daniel", "pipeline-lens", 300),
    ("aisha", "pipeline-lens", 250), ("lena", "pipeline-lens", 200),
    ("casey", "pipeline-lens", 160), ("marcus", "pipeline-lens", 120),
    ("hannah", "data-doctor", 380), ("tomas", "data-doctor", 290),
    ("oliver", "data-doctor", 95), ("daniel", "data-doctor", 180), ("priya", "data-doctor", 140),
    ("sofia", "demand-radar", 420), ("kenji", "demand-radar", 310),
    ("lena", "demand-radar", 150), ("marcus", "demand-radar", 110),
    ("marcus", "segment-studio", 360), ("rachel", "segment-studio", 270),
    ("tomas", "segment-studio", 230), ("kenji", "segment-studio", 175),
    ("aisha", "segment-studio", 130), ("felix", "data-doctor", 330),
    ("nadia", "demand-radar", 400), ("ben", "pipeline-lens", 230),
    ("oliver", "segment-studio", 70), ("nadia", "segment-studio", 80),
]  # fmt: skip

# (customer, product, rating, title, body, display choice, days ago written, helpful votes)
TESTIMONIALS = [
    ("priya", "pipeline-lens", 5,
     "Our forecast call went from an argument to a 20-minute review",
     "Before Pipeline Lens every Monday forecast was a debate about whose gut to trust. Now we "
     "open the stalled-deal list first, agree which deals are really alive, and the weighted "
     "number is within a few percent of where we land.\n\nThe part that sold me was uploading "
     "our own Salesforce export during the trial: it flagged two 'commit' deals that had not "
     "moved in 70 days. Both slipped. That was the business case.",
     "full", 380, 9),
    ("daniel", "pipeline-lens", 4,
     "Honest pipeline numbers for a small RevOps team",
     "I'm a team of one in RevOps and I don't have time to build dashboards. The HubSpot "
     "connector took an afternoon, most of it spent cleaning our own stage names. Stage "
     "conversion by segment showed our mid-market deals stall in 'Proposal' twice as long as "
     "SMB ones, which changed how we staff that stage.\n\nOne star off because the "
     "scheduled PDF reports are plain; fine for me, less fine for our CEO.",
     "initial", 270, 6),
    ("aisha", "pipeline-lens", 5,
     "Worth it even for a 12-person consultancy",
     "We sell six-figure advisory engagements, maybe 30 deals a year. I expected a tool like "
     "this to need thousands of deals to say anything useful. It doesn't: comparing each open "
     "deal against the ones we won told us which proposals to chase and which to let go. "
     "The Starter plan covers our two partners.",
     "full", 220, 4),
    ("lena", "pipeline-lens", 3,
     "Good forecasting, win/loss needs cleaner data than we had",
     "The forecast and stalled-deal alerts are excellent and my regional managers use them "
     "weekly. Win/loss analysis was less useful for us because our reps rarely filled in the "
     "loss reason or the competitor. That's our problem, not the product's, but go in knowing "
     "that you'll get out what you put in.",
     "initial", 170, 5),
    ("marcus", "pipeline-lens", 4,
     "The trial on our own export did the selling",
     "We'd seen three polished demos from other vendors using made-up data. Here I uploaded "
     "our Pipedrive export on a Sunday evening and had a forecast before dinner. Setup for the "
     "whole team took a week, mainly agreeing on stage definitions. Support answered every "
     "e-mail the same day.",
     "anonymous", 90, 2),
    ("hannah", "data-doctor", 5,
     "Found 41,000 duplicate customer records before our core banking migration",
     "We ran Data Doctor on the customer master two months before migrating. The fuzzy "
     "duplicate check caught records like 'Müller GmbH' and 'Mueller G.m.b.H.' that our "
     "own scripts never did, and every finding came with the rows behind it, so the data "
     "owners could fix the source instead of arguing about the report.\n\nOur auditors "
     "liked that the nightly checks leave an audit trail.",
     "full", 340, 11),
    ("tomas", "data-doctor", 4,
     "Cleaned up 8 years of patient-contact data in our CRM",
     "Three clinics, three ways of typing phone numbers and addresses. Data Doctor's validity "
     "checks gave us a fix list per clinic, and the nightly run now catches new problems "
     "within a day. Deployment inside our own network took longer than the cloud version "
     "would have, but our compliance team required it and the vendor helped throughout.",
     "initial", 260, 7),
    ("daniel", "data-doctor", 4,
     "A quiet guard on the data our board reports depend on",
     "We bought it for a one-off CRM clean-up and kept it as a nightly check. The drift "
     "alerts caught a broken integration that had been writing empty deal amounts for three "
     "days. Would love more control over alert thresholds per column.",
     "initial", 150, 3),
    ("priya", "data-doctor", 5,
     "Made our CRM migration boring, which is the best compliment",
     "We moved 300,000 shipper and consignee records from a homegrown CRM to Salesforce. "
     "Data Doctor ran before every test load and gave us a clear 'ready / not ready' per "
     "table. Go-live weekend had zero data rollbacks.",
     "full", 120, 5),
    ("sofia", "demand-radar", 5,
     "Safety stock down 18% without a single stock-out in peak season",
     "We plan 2,400 SKUs across four regions. Demand Radar's forecasts come with ranges, and "
     "that was the real change: planners now set safety stock from the range instead of a "
     "rule of thumb. The 'why did the forecast move' view ended a lot of debates with "
     "sales.\n\nImplementation was eight weeks, most of it agreeing how to treat promotions.",
     "full", 360, 12),
    ("kenji", "demand-radar", 4,
     "Seasonality handled better than our old spreadsheet model",
     "Outdoor gear is all about the season and the weather. The holiday and seasonality "
     "detection worked out of the box, and adding our promotion calendar as a driver took a "
     "day. New products borrowing patterns from similar ones is clever, though it took a few "
     "weeks of real sales before I trusted those forecasts.",
     "initial", 280, 6),
    ("lena", "demand-radar", 4,
     "Sales finally gets a quarter number they believe",
     "As a sales director I mostly use the regional roll-up to set targets with the planning "
     "team. Having the same forecast, with honest ranges, on both sides of the table removed "
     "a lot of friction. The interface is built for planners; my managers needed a short "
     "walkthrough.",
     "initial", 120, 2),
    ("marcus", "segment-studio", 5,
     "Our win-back campaign paid for the tool in the first month",
     "Segment Studio split our customers into segments that made sense to the whole team "
     "('big but fading' is now a phrase in our stand-ups). We exported the fading segment "
     "to our e-mail platform the same afternoon and won back enough customers in four weeks "
     "to cover the yearly licence.",
     "full", 330, 10),
    ("rachel", "segment-studio", 4,
     "Finally a segmentation our marketing team can use without a data scientist",
     "We sell online courses to schools and individuals. The plain-language segment names and "
     "the numbers behind each one meant my team could build campaigns without waiting for "
     "the analytics team. I'd like more than the RFM basics eventually, for example course "
     "completion as an input.",
     "full", 240, 7),
    ("tomas", "segment-studio", 3,
     "Useful churn list, but healthcare data needed work first",
     "The churn scoring flagged patients who stopped booking check-ups, and our recall "
     "calls now start from that list. We had to aggregate our appointment data into "
     "'transactions' ourselves before Segment Studio could read it, which took longer than "
     "expected. Good product; just not plug-and-play for a clinic.",
     "initial", 200, 4),
    ("kenji", "segment-studio", 5,
     "Knowing who is about to leave, while there's still time to call",
     "Customer success used to hear about churn at renewal. Now they get a weekly list of "
     "accounts drifting away, with the numbers that explain why. Retention in our wholesale "
     "channel is up four points this year.",
     "initial", 150, 8),
    ("aisha", "segment-studio", 4,
     "Small client base, still useful",
     "With 400 clients I doubted segmentation would say much. It grouped them into five "
     "segments that matched how the partners already thought about them, plus one we had "
     "missed: long-standing clients who only buy once every two years. We now call them "
     "before their budget cycle.",
     "anonymous", 100, 1),
    ("casey", "pipeline-lens", 5,
     "Stalled-deal alerts every Monday keep our reps honest",
     "The Monday e-mail with deals that sit longer than our won deals did is the most-read "
     "report in our sales team. We closed two deals last quarter that would otherwise have "
     "quietly died in 'Negotiation'. Setup with our CRM export took one afternoon.",
     "full", 140, 3),
    ("oliver", "data-doctor", 4,
     "Solid data-quality checks for a council with many legacy systems",
     "We used Data Doctor to check resident and property records before merging two legacy "
     "systems. The postcode and address validity checks were exactly what we needed, and "
     "procurement by invoice was painless for a public body.",
     "full", 60, 2),
    ("felix", "data-doctor", 2,
     "Powerful checks, but the on-premise upgrade was painful",
     "I stand by the product itself: the validity checks on policy and claims data are the "
     "best we've used. Our upgrade to the latest on-premise release, however, took three "
     "attempts and a week of back-and-forth with support before the scheduler ran again. "
     "Support was responsive, but the release notes should have warned us about the "
     "database change.",
     "initial", 45, 6),
    ("nadia", "demand-radar", 4,
     "A year in: fresh-produce waste down, planners still on board",
     "Twelve months in, forecast accuracy per store and week went from 61% to 74%, and "
     "waste on short-life lines is down by a fifth. The explanations keep planners engaged "
     "instead of overriding everything. My wish list: faster re-forecasting when we add a "
     "large promotion mid-month.",
     "full", 30, 4),
    ("ben", "pipeline-lens", 5,
     "The board stopped asking 'how sure are you?'",
     "As CFO I wanted one forecast that sales and finance both stand behind. Presenting "
     "best, likely and worst case with the calibration behind it changed our board meetings. "
     "Bookings have landed inside the likely range three quarters running.",
     "initial", 20, 1),
]  # fmt: skip

# Waiting for moderation, and one the author has to rewrite (with the reason they see).
PENDING = [
    ("oliver", "segment-studio", 4, "Helped us plan services around how residents use them",
     "We grouped residents by how they use council services online and by phone. Two "
     "segments we hadn't seen (young families who only call, and older residents who "
     "switched to online during the pandemic) now shape our channel planning.", "full"),
    ("nadia", "segment-studio", 5, "Loyalty segments without a loyalty card",
     "We don't run a loyalty scheme, but our online orders were enough for Segment Studio "
     "to find our regulars and the ones drifting to competitors. The win-back offer to the "
     "'fading' segment had a 14% response rate.", "initial"),
]  # fmt: skip
REJECTED = (
    "marcus",
    "demand-radar",
    4,
    "Better than Forecastly, and use code BRIGHT20 for 20% off!",
    "We switched from Forecastly after they raised prices. Demand Radar is more accurate for "
    "our long-tail products and the team picked it up quickly. Mention code BRIGHT20 when you "
    "buy and you'll get 20% off.",
    "full",
    "Thanks, Marcus! We can't publish discount codes, and we keep other vendors' names out of "
    "headlines. Could you remove the code and retitle it? The rest is great.",
)

STORIES = [
    ("pipeline-lens", "Jordan Ellis, Quarry & Stone Supplies", "Chief Revenue Officer",
     "manufacturing", "1001-5000", 5, "How Quarry & Stone cut forecast error in half",
     "Quarry & Stone's 60 reps sold through distributors and direct, with two CRMs and no "
     "shared definition of a committed deal. After consolidating exports into Pipeline Lens, "
     "the sales leadership reviewed one forecast with one set of stage rules. Within two "
     "quarters the gap between forecast and actual bookings fell from 22% to 9%.",
     "Case study published on northwind.example, March 2025"),
    ("data-doctor", "Mei Chen, Riverside Health Partners", "Head of Data",
     "healthcare", "1001-5000", 4, "Cleaner patient records ahead of an EHR switch",
     "Riverside used Data Doctor's completeness and duplicate checks on 1.2 million patient "
     "contact records before switching electronic health record systems. The team fixed "
     "issues at the source, clinic by clinic, and the final migration needed no manual "
     "de-duplication pass.",
     "Talk at the Healthcare Data Summit, Boston, October 2024"),
]  # fmt: skip

PROFILES = {
    "priya": (["rollout", "data", "roi"], "Tuesday and Thursday afternoons, CET", 2),
    "daniel": (["data", "adoption", "buying"], "Most weekdays after 3 pm UK time; 30 minutes", 3),
    "sofia": (["rollout", "roi", "adoption"], "Wednesday mornings, CET", 1),
    "hannah": (["security", "data", "switching"], "Fridays, 10:00–12:00 CET", 2),
    "marcus": (["roi", "adoption", "switching"], "Flexible, US Eastern time", 2),
    "casey": (["rollout", "adoption", "support"], "Mondays and Wednesdays, 9–11 am Central", 2),
    "lena": (["roi", "buying"], "Thursday afternoons, CET", 1),
}

QUESTIONS = [
    ("pipeline-lens", "dana@globex.example",
     "Does it work with a HubSpot export that has custom deal stages?",
     "We have nine custom stages and two pipelines in HubSpot. Do we need to rename anything?",
     [("daniel", "Yes, we have custom stages too. You map each stage once when you connect or "
                 "upload, and you can merge stages that mean the same thing. Two pipelines "
                 "show up as separate segments you can filter on."),
      ("seller@northwind.example", "To add to Daniel's answer: you can try the mapping on "
       "your own export at /try/pipeline-lens before buying anything; nothing is renamed in "
       "HubSpot itself.")]),
    ("data-doctor", "lee@initech.example",
     "How does it handle duplicate company names in different languages?",
     "",
     [("hannah", "Well, in our case: German umlauts and legal forms (GmbH, AG) were matched "
                 "correctly after we turned on the company-name normaliser. Cyrillic vs Latin "
                 "spellings needed a custom rule, which support helped us write.")]),
    ("demand-radar", "dana@globex.example",
     "How much order history do you need before the forecast is useful?",
     "We only moved to our current ERP 18 months ago.",
     [("sofia", "We started with two years. Seasonality needs at least one full year to "
                "be picked up; 18 months worked for most of our SKUs, new ones borrowed "
                "patterns from similar products."),
      ("seller@northwind.example", "One full year is the minimum we recommend; the trial "
       "will show you the confidence range on your own data, which is the honest answer "
       "for your history.")]),
    ("segment-studio", "lee@initech.example",
     "Can we push segments straight to our e-mail platform?",
     "",
     [("rachel", "We export each segment as a CSV and import it into our e-mail tool; takes "
                 "two minutes. No direct sync as far as I know.")]),
    ("pipeline-lens", "lee@initech.example",
     "Can the weekly stalled-deal e-mail go to team leads only?", "", []),
]  # fmt: skip
