"""What is known of each intervention's harms and regulation, fact by fact, each fact citing
the sources it was read in. A claim that concerns an intervention is linked to its profile,
so its page can say what the clinic pages quoting it leave out."""

from django.db import models
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.models import Claim
from sources.models import Document, Study


class SafetyTopic(models.TextChoices):
    DISSOCIATION = "dissociation", "Dissociation"
    BLOOD_PRESSURE = "blood_pressure", "Blood pressure and heart rate"
    SEDATION_RESPIRATORY = "sedation_respiratory", "Sedation and respiratory depression"
    NAUSEA_VOMITING = "nausea_vomiting", "Nausea and vomiting"
    ABUSE_MISUSE = "abuse_misuse", "Abuse, misuse and scheduling"
    BLADDER_URINARY = "bladder_urinary", "Bladder and urinary toxicity"
    COGNITION = "cognition", "Cognition"
    PSYCHOSIS = "psychosis", "Psychosis"
    CONTRAINDICATIONS = "contraindications", "Who should not receive it"
    PREGNANCY_LACTATION = "pregnancy_lactation", "Pregnancy and breastfeeding"
    INTERACTIONS = "interactions", "Interactions"
    MONITORING_REMS = "monitoring_rems", "Monitoring and REMS"
    DRIVING = "driving", "Driving"
    REGULATORY_STATUS = "regulatory_status", "Regulatory status"

    @property
    def group(self) -> str:
        if self in HARMS:
            return "Harms"
        if self == SafetyTopic.REGULATORY_STATUS:
            return "Regulatory status"
        return "Precautions"

    @property
    def mention_terms(self) -> tuple[str, ...]:
        """Word stems a page that discusses the topic at all would use: how a claim page
        tells which topics the documents quoting it never raise."""
        return MENTION_TERMS[self]


HARMS = {
    SafetyTopic.DISSOCIATION, SafetyTopic.BLOOD_PRESSURE, SafetyTopic.SEDATION_RESPIRATORY,
    SafetyTopic.NAUSEA_VOMITING, SafetyTopic.ABUSE_MISUSE, SafetyTopic.BLADDER_URINARY,
    SafetyTopic.COGNITION, SafetyTopic.PSYCHOSIS,
}  # fmt: skip
MENTION_TERMS = {
    SafetyTopic.DISSOCIATION: ("dissociat", "out-of-body", "detach"),
    SafetyTopic.BLOOD_PRESSURE: ("blood pressure", "hypertens", "heart rate"),
    SafetyTopic.SEDATION_RESPIRATORY: ("sedat", "drows", "respirat", "breathing"),
    SafetyTopic.NAUSEA_VOMITING: ("nausea", "vomit"),
    SafetyTopic.ABUSE_MISUSE: ("abuse", "misuse", "addict", "dependen", "controlled substance"),
    SafetyTopic.BLADDER_URINARY: ("bladder", "urinar", "cystitis"),
    SafetyTopic.COGNITION: ("cognit", "memory"),
    SafetyTopic.PSYCHOSIS: ("psychos", "psychotic", "hallucinat"),
    SafetyTopic.CONTRAINDICATIONS: ("contraindicat", "not a candidate", "not suitable"),
    SafetyTopic.PREGNANCY_LACTATION: ("pregnan", "breastfe", "lactat"),
    SafetyTopic.INTERACTIONS: ("interact",),
    SafetyTopic.MONITORING_REMS: ("monitor", "rems"),
    SafetyTopic.DRIVING: ("driv",),
    SafetyTopic.REGULATORY_STATUS: ("fda", "approv", "off-label", "off label"),
}
TOPIC_ORDER = list(SafetyTopic)


class Drug(models.TextChoices):
    RACEMIC_KETAMINE = "racemic_ketamine", "Racemic ketamine"
    ESKETAMINE = "esketamine", "Esketamine"


class Route(models.TextChoices):
    INTRAVENOUS = "intravenous", "Intravenous infusion"
    INTRAMUSCULAR = "intramuscular", "Intramuscular injection"
    ORAL_SUBLINGUAL = "oral_sublingual", "Oral or sublingual"
    NASAL = "nasal", "Nasal spray"


# How a page says a drug is given, as lower-case fragments (spaces around short ones).
ROUTE_TERMS = {
    Route.INTRAVENOUS: ("infusion", "intravenous", " iv ", "iv ketamine", " iv,"),
    Route.INTRAMUSCULAR: ("intramuscular", " im ketamine", "injection", " im "),
    Route.ORAL_SUBLINGUAL: ("oral", "sublingual", "lozenge", "troche", "tablet", "at-home",
                            "at home ketamine", "rapid dissolve"),
    Route.NASAL: ("nasal", "spravato", "esketamine"),
}  # fmt: skip
ESKETAMINE_TERMS = ("spravato", "esketamine")


class InterventionQuerySet(models.QuerySet):
    def public(self) -> "InterventionQuerySet":
        """Every profile a reader may see: all of them."""
        return self.all()

    def for_list(self) -> "InterventionQuerySet":
        return self.annotate(fact_count=Count("facts", distinct=True)).order_by("drug", "name")

    def for_detail(self) -> "InterventionQuerySet":
        return self.prefetch_related(Prefetch("facts", queryset=SafetyFact.objects.for_topics()))


class Intervention(models.Model):
    """One way ketamine is given (a drug by a route), as clinics sell it."""

    Drug = Drug
    Route = Route

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    drug = models.CharField(max_length=20, choices=Drug)
    route = models.CharField(max_length=20, choices=Route)
    summary = models.TextField(help_text="For readers: what this is and how it is given.")
    claims = models.ManyToManyField(
        Claim,
        blank=True,
        related_name="interventions",
        help_text="The claims that concern this intervention: their pages show what the "
        "clinic pages quoting them leave out of this profile.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = InterventionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["drug", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("safety:detail", args=[self.slug])

    def named_in(self, lowered: str) -> bool:
        """Whether a lower-cased text (padded with a space each side) offers this: the
        route is named, and for esketamine the drug too."""
        if not any(term in lowered for term in ROUTE_TERMS[Route(self.route)]):
            return False
        named_esketamine = any(term in lowered for term in ESKETAMINE_TERMS)
        return named_esketamine if self.drug == Drug.ESKETAMINE else True


class SafetyFactQuerySet(models.QuerySet):
    def for_topics(self) -> "SafetyFactQuerySet":
        return self.prefetch_related(
            Prefetch(
                "sources", queryset=Study.objects.only("pk", "slug", "title", "authors", "year")
            )
        ).order_by("topic", "pk")


class SafetyFact(models.Model):
    """One thing a clinician should know about an intervention, in our words, with the
    sources it was read in."""

    Topic = SafetyTopic

    interventions = models.ManyToManyField(Intervention, related_name="facts")
    topic = models.CharField(max_length=30, choices=SafetyTopic)
    statement = models.TextField(help_text="Plain words for a clinician, with figures.")
    sources = models.ManyToManyField(Study, related_name="safety_facts")
    checked = models.TextField(
        blank=True,
        help_text="A working note for editors, never shown on the public site: the words on "
        "each source that support the statement.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SafetyFactQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["topic", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "statement"], name="safety_safetyfact_unique_statement"
            ),
        ]

    def __str__(self):
        return f"{self.get_topic_display()}: {self.statement[:60]}"


def facts_by_topic(facts) -> list[tuple[SafetyTopic, list[SafetyFact]]]:
    """The facts grouped under their topics, in the vocabulary's order."""
    grouped: dict[str, list[SafetyFact]] = {}
    for fact in facts:
        grouped.setdefault(fact.topic, []).append(fact)
    return [(topic, grouped[topic.value]) for topic in TOPIC_ORDER if topic.value in grouped]


def topics_mentioned(documents: "models.QuerySet[Document]") -> set[SafetyTopic]:
    """The topics any of these documents raises at all, judged by the words it uses; the
    database reads the texts, in one query."""
    counts = documents.aggregate(
        **{
            topic.value: Count("pk", filter=_any_term(topic.mention_terms), distinct=True)
            for topic in SafetyTopic
        }
    )
    return {SafetyTopic(name) for name, count in counts.items() if count}


def _any_term(terms: tuple[str, ...]) -> Q:
    found = Q()
    for term in terms:
        found |= Q(body__icontains=term)
    return found


def topics_raised_in(text: str) -> set[SafetyTopic]:
    """The topics a text raises at all, judged by the words it uses (as topics_mentioned
    judges stored documents)."""
    lowered = text.lower()
    return {topic for topic in SafetyTopic if any(term in lowered for term in topic.mention_terms)}


def interventions_named_in(text: str) -> list[Intervention]:
    """The interventions a text offers, by how it says the drug is given."""
    lowered = f" {text.lower()} "
    named = [
        intervention
        for intervention in Intervention.objects.only("pk", "slug", "name", "drug", "route")
        if intervention.named_in(lowered)
    ]
    return named


def left_out(claim: Claim) -> list[tuple[Intervention, list[tuple[SafetyTopic, list]]]]:
    """For each intervention the claim concerns, the profile's facts on the topics that no
    document quoting the claim raises: what a reader of those pages is not told."""
    interventions = list(claim.interventions.all())
    if not interventions:
        return []
    raised = topics_mentioned(Document.objects.filter(excerpts__claim=claim))
    return facts_left_out(interventions, raised)


def facts_left_out(
    interventions: list[Intervention], raised: set[SafetyTopic]
) -> list[tuple[Intervention, list[tuple[SafetyTopic, list]]]]:
    """For each intervention, its profile's facts on the topics not among `raised`, by
    topic; interventions with nothing left out are left out."""
    if not interventions:
        return []
    facts = (
        SafetyFact.objects.filter(interventions__in=interventions)
        .exclude(topic__in=raised)
        .distinct()
        .for_topics()
        .prefetch_related(Prefetch("interventions", queryset=Intervention.objects.only("pk")))
    )
    by_intervention: dict[int, list[SafetyFact]] = {i.pk: [] for i in interventions}
    for fact in facts:
        for intervention in fact.interventions.all():
            if intervention.pk in by_intervention:
                by_intervention[intervention.pk].append(fact)
    return [
        (intervention, facts_by_topic(by_intervention[intervention.pk]))
        for intervention in interventions
        if by_intervention[intervention.pk]
    ]
