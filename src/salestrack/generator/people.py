"""Believable people, companies, projects and notes for the demo and seed data.

A sales floor in Bangalore and Pune: Indian names, companies, mobile numbers and e-mail
addresses, reps, towers in Whitefield, Sarjapur and Hinjewadi, and the notes and outcomes
reps write. Everything is a fixed table drawn by index from the load's seeded
``random.Random`` (no Faker, no per-row formatting beyond one f-string): at a million
leads each draw must cost a few hundred nanoseconds, and the same seed gives the same
tenant. Binary COPY fields for notes and subjects are encoded once, here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from salestrack.generator import copybinary as cb

FIRST_NAMES = (
    "Aarav", "Aditi", "Akash", "Ananya", "Anil", "Anjali", "Arjun", "Bhavna", "Chetan",
    "Deepa", "Deepak", "Divya", "Farhan", "Gaurav", "Geeta", "Harish", "Ishaan", "Jyoti",
    "Karan", "Kavya", "Kiran", "Lakshmi", "Madhav", "Meera", "Mohan", "Nandini", "Naveen",
    "Neha", "Nikhil", "Pooja", "Pradeep", "Priya", "Rahul", "Rajesh", "Ramya", "Ravi",
    "Rohan", "Sandeep", "Sanjay", "Shalini", "Shreya", "Siddharth", "Sneha", "Sunil",
    "Suresh", "Swati", "Tanvi", "Uday", "Varun", "Vidya", "Vikram", "Vinay", "Yash", "Zoya",
)  # fmt: skip
SURNAMES = (
    "Agarwal", "Bhat", "Chatterjee", "Deshmukh", "Desai", "Gowda", "Gupta", "Hegde", "Iyer",
    "Jain", "Joshi", "Kamath", "Kapoor", "Khan", "Kulkarni", "Kumar", "Menon", "Mehta",
    "Mishra", "Naidu", "Nair", "Patil", "Pillai", "Rao", "Reddy", "Sharma", "Shetty",
    "Singh", "Srinivasan", "Subramanian", "Verma", "Yadav",
)  # fmt: skip
COMPANY_STEMS = (
    "Infosys", "Wipro", "Mindtree", "Tata Consultancy", "Accenture", "Bosch", "Siemens",
    "Cognizant", "Persistent", "KPIT", "Tech Mahindra", "Capgemini", "Flipkart", "Swiggy",
    "Biocon", "Titan", "Mphasis", "Zensar", "Thoughtworks", "Intuit",
)  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "yahoo.co.in", "outlook.com", "rediffmail.com", "hotmail.com")
# Indian mobile numbers start with 6-9; these are common operator prefixes.
MOBILE_PREFIXES = ("98", "99", "97", "96", "95", "94", "93", "91", "90", "88", "87", "86",
                   "85", "81", "80", "79", "78", "77", "76", "73", "70", "63", "62")  # fmt: skip
REP_NAMES = (
    "Arjun Mehta", "Sneha Kulkarni", "Farhan Khan", "Lakshmi Iyer", "Rohit Deshpande",
    "Kavitha Reddy", "Manish Gupta", "Pallavi Joshi",
)  # fmt: skip

# (project, unit types, place, latitude, longitude)
PROJECTS = (
    ("Aster Heights Whitefield", ("2BHK", "3BHK"), "Whitefield, Bengaluru", 12.9698, 77.7500),
    ("Sarjapur Greens", ("3BHK", "villa"), "Sarjapur Road, Bengaluru", 12.9100, 77.6800),
    ("Hinjewadi Skyline", ("2BHK", "3BHK"), "Hinjewadi Phase 2, Pune", 18.5913, 73.7389),
)
CAMPAIGNS = (
    ("Google Ads - Whitefield 3BHK", "digital", 1200, 300),
    ("Facebook lead forms - Hinjewadi", "social", 600, 250),
    ("Monthly newsletter", "email", 150, 400),
    ("Bengaluru Property Expo", "event", 900, 200),
    ("Channel partners - Pune", "referral", 400, 150),
)

LEAD_NOTES = (
    "Looking for a 3BHK near ITPL, budget about 1.2 Cr",
    "Works at {company}; wants possession within 18 months",
    "First-time buyer, needs a home loan tie-up",
    "NRI in Dubai, parents will visit the site",
    "Upgrading from a 2BHK in Marathahalli",
    "Wants east-facing unit on a higher floor",
    "Comparing with two projects on Sarjapur Road",
    "Investment purchase, asked about rental yield",
    "Needs a school within 3 km",
    "Asked for the price sheet and payment plan",
    "",
)
MILESTONE_NOTES: dict[str, tuple[str, ...]] = {
    "contacted": (
        "Spoke on the phone, shared the brochure",
        "Answered the enquiry form, interested in 3BHK",
        "Called back after the newsletter, wants a visit",
    ),
    "proposal": (
        "Quotation sent with the 20:80 payment plan",
        "Shared cost sheet including GST and registration",
    ),
    "negotiation": (
        "Asked for a waiver on floor-rise charges",
        "Negotiating car park and club membership",
        "Wants the festive discount extended",
    ),
    "cancellation": (
        "Budget constraints - client company downsizing",
        "Bought in another project closer to office",
        "Home loan not sanctioned",
    ),
    "reengaged": ("Called back after the price revision", "Interested again after bonus"),
}
# What reps write after a visit (site visit, revisit, demo), by its outcome.
VISIT_NOTES: dict[str, tuple[str, ...]] = {
    "positive": (
        "Client very interested, follow-up in 2 days",
        "Visited with family; prefers the corner unit",
        "Liked the show flat, asked for the payment plan",
        "Came back with parents, keen on the 12th floor unit",
    ),
    "neutral": (
        "Liked the clubhouse, concerned about traffic on ORR",
        "Comparing 2BHK and 3BHK layouts, will decide next month",
        "Virtual tour over video for the NRI buyer",
    ),
    "negative": (
        "Found the units smaller than expected",
        "Price above budget even after the offer",
        "Prefers a ready-to-move flat",
    ),
}
SUBJECTS: dict[str, tuple[str, ...]] = {
    "email_sent": ("Brochure and floor plans", "Price sheet for your enquiry", "Site visit slot"),
    "call_made": ("Follow-up call - project discussion", "Call about the visit", "Loan options"),
    "message_sent": ("WhatsApp: location pin", "SMS: visit reminder", "WhatsApp: price sheet"),
    "meeting_scheduled": ("Meeting at the site office", "Video call with the family"),
    "proposal_sent": ("Proposal with payment plan", "Revised offer"),
    "quote_sent": ("Quotation for the 3BHK", "Quotation with parking"),
}
RESPONSES = (
    "Asked for the floor plans",
    "Will visit this weekend",
    "Wants to discuss with spouse",
    "Asked about the home loan partners",
    "Requested a call back in the evening",
)


def _field(text: str) -> bytes:
    return cb.text(text) if text else cb.EMPTY


# The binary COPY fields, encoded once.
MILESTONE_NOTE_FIELDS = {k: tuple(_field(t) for t in v) for k, v in MILESTONE_NOTES.items()}
VISIT_NOTE_FIELDS = {k: tuple(_field(t) for t in v) for k, v in VISIT_NOTES.items()}
NO_NOTE = (cb.EMPTY,)
SUBJECT_FIELDS = {k: tuple(_field(t) for t in v) for k, v in SUBJECTS.items()}
RESPONSE_FIELDS = tuple(_field(t) for t in RESPONSES)
# Every full name and its e-mail local part, formatted once.
NAMES = tuple(
    (f"{first} {last}", f"{first.lower()}.{last.lower()}")
    for first in FIRST_NAMES
    for last in SURNAMES
)
COMPANIES = tuple(
    f"{stem} {suffix}"
    for stem in COMPANY_STEMS
    for suffix in ("Ltd", "India Pvt Ltd", "Technologies")
)
VISIT_PLACES = tuple((place, lat, lon) for _p, _u, place, lat, lon in PROJECTS)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    company: str
    email: str
    phone: str
    notes: str


def draw_person(r: Callable[[], float]) -> Person:
    """A lead: name, employer (for two in three), e-mail, mobile and a first note."""
    name, local = NAMES[int(r() * len(NAMES))]
    company = COMPANIES[int(r() * len(COMPANIES))] if r() < 0.66 else ""
    email = f"{local}{int(r() * 100)}@{EMAIL_DOMAINS[int(r() * len(EMAIL_DOMAINS))]}"
    prefix = MOBILE_PREFIXES[int(r() * len(MOBILE_PREFIXES))]
    phone = f"+91 {prefix}{int(r() * 100_000_000):08d}"
    note = LEAD_NOTES[int(r() * len(LEAD_NOTES))]
    if "{company}" in note:
        note = note.replace("{company}", company) if company else ""
    return Person(name, company, email, phone, note)


def pick(options: tuple[bytes, ...], r: Callable[[], float]) -> bytes:
    return options[int(r() * len(options))]
