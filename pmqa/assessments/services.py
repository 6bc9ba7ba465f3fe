"""State changes of assessments and their score snapshots."""

from decimal import Decimal

from pmqa import scoring
from pmqa.assessments.models import Assessment, ScoreSnapshot


def record_category_scores(
    *,
    assessment: Assessment,
    source: str,
    categories: dict[str, Decimal],
    by=None,  # type: ignore[no-untyped-def]
) -> ScoreSnapshot:
    """Store the engine's figures for a full set of category scores."""
    result = scoring.score_categories(categories, assessment.cycle.edition.thresholds())
    if result.missing:
        raise ValueError(f"categories missing: {', '.join(result.missing)}")
    assert result.total is not None and result.rating is not None
    return ScoreSnapshot.objects.create(
        assessment=assessment,
        source=source,
        round_number=1,
        categories={key: str(scoring.q2(value)) for key, value in result.categories.items()},
        total=scoring.q2(result.total),
        rating=scoring.q2(result.rating),
        level=result.level or "",
        rules_version=result.rules_version,
        created_by=by,
    )
