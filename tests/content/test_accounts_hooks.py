"""Content's part in a person's data export and account deletion."""

from content.models import Submission, XBlockState
from lms.accounts.services import account_delete, user_data_export
from tests.content.conftest import VALUES


def test_data_export_includes_own_answers_only(user, make_page, submit):
    from tests.lms.accounts.factories import UserFactory

    page, ids = make_page({"free_text": VALUES["free_text"]})
    submit(user, page, ids["free_text"], {"text": "Mi cliente ideal es mi vecina."})
    submit(UserFactory(), page, ids["free_text"], {"text": "Texto de otra persona"})

    exported = user_data_export(user=user)["activity_submissions"]

    assert [row["answer"] for row in exported] == [{"text": "Mi cliente ideal es mi vecina."}]
    assert exported[0]["status"] == "pending" and exported[0]["page"] == page.title


def test_account_deletion_forgets_answers_but_keeps_scores(user, make_page, submit):
    page, ids = make_page({"single_choice": VALUES["single_choice"], "free_text": VALUES["free_text"]})
    submit(user, page, ids["single_choice"], {"choice": "1"})
    submit(user, page, ids["free_text"], {"text": "Algo personal"})

    account_delete(user_id=user.pk)

    assert not XBlockState.objects.filter(user_id=user.pk).exists()
    rows = Submission.objects.filter(user_id=user.pk).order_by("pk")
    assert [row.answer for row in rows] == [{}, {}]
    assert rows[0].score == 1.0
