"""Evidence and stored reports in S3-compatible object storage (an in-process S3, moto): the
bucket stays private and every file still goes through the application's permission checks."""

from __future__ import annotations

import boto3
import pytest
from django.test import Client
from django.urls import reverse
from moto import mock_aws

from pmqa.assessments.models import Evidence
from pmqa.reports.models import StoredReport
from tests.builders import PDF, Case, login, upload

BUCKET = "pmqa-files"


@pytest.fixture
def bucket(settings, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "default_acl": "private",
                    "file_overwrite": False,
                },
            },
        }
        yield s3


def test_evidence_goes_to_a_private_bucket_and_only_the_agency_gets_it(
    bucket, client, personas, work_a
):
    login(client, personas.editor_a)
    client.get(reverse("assessments:evidence", args=[work_a.pk]))  # the CSRF cookie
    assert upload(client, work_a, "แผน 2570.pdf", PDF).status_code == 302
    evidence = Evidence.objects.get(assessment=work_a)
    stored = bucket.get_object(Bucket=BUCKET, Key=evidence.file.name)
    assert stored["Body"].read() == PDF
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=evidence.file.name)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants if g["Grantee"].get("URI")] == []
    url = reverse("assessments:evidence_file", args=[work_a.pk, evidence.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "amazonaws" not in response.get("Location", "")
    assert login(Client(), personas.editor_b).get(url).status_code == 404


def test_a_published_report_is_stored_in_the_bucket_and_downloaded_from_it(
    bucket, personas, work_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assessment = Case(personas, work_a).published()
    names = sorted(StoredReport.objects.values_list("file", flat=True))
    assert len(names) == 4
    keys = sorted(o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == names
    agency = login(Client(), personas.editor_a)
    response = agency.get(reverse("reports:pdf", args=[assessment.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_bucket_is_chosen_by_the_environment():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "PMQA_ENV_FILE": "",
        "PMQA_SECRET_KEY": "test-only",
        "PMQA_S3_BUCKET": "agency-files",
        "PMQA_S3_ENDPOINT": "https://objects.example.go.th",
        "DJANGO_SETTINGS_MODULE": "pmqa.settings",
    }
    code = (
        "import django; django.setup(); from django.core.files.storage import storages;"
        "s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl, s.file_overwrite)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "S3Storage",
        "agency-files",
        "https://objects.example.go.th",
        "private",
        "False",
    ]
