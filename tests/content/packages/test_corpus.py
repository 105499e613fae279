"""Every package of the shared corpus is either parsed (titles, lessons, launch files, answers checked) or refused
with a reason an institution admin understands.

The corpus lives beside the repository: ``../shared/corpus`` (CI clones the repo with ``shared/`` next to it).
"""

from __future__ import annotations

import zipfile
from html.parser import HTMLParser

import pytest

from content.packages.errors import PackageRefused
from content.packages.inspection import package_inspect
from content.packages.outline import (
    ChoiceActivity,
    FillBlanksActivity,
    NumericActivity,
    PackagePlayer,
    TextEntryActivity,
    Unsupported,
)
from content.packages.scorm import parse_scorm_manifest
from tests.corpus import CORPUS, corpus

PACKAGE_SUFFIXES = (".zip", ".h5p", ".imscc", ".tar.gz", ".xml")

pytestmark = corpus


def corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name.endswith(PACKAGE_SUFFIXES) and "badges" not in p.parts
    )


# (format, version, title, modules, lessons, activities) for packages Ruta imports.
PARSED = {
    "scorm12/ContentPackagingWithMetadata_SCORM12.zip": ("scorm12", "1.2", "SCORM 1.2 With Metadata", 1, 1, 1),
    "scorm12/golf_ContentPackagingOneFilePerSCO_SCORM12.zip": (
        "scorm12", "1.2", "Golf Explained - CP One File Per SCO", 4, 18, 18,
    ),
    "scorm12/golf_ContentPackagingSingleSCO_SCORM12.zip": ("scorm12", "1.2", "Golf Explained - CP Single SCO", 1, 1, 1),
    "scorm12/golf_RuntimeBasicCalls_SCORM12.zip": ("scorm12", "1.2", "Golf Explained - Run-time Basic Calls", 1, 1, 1),
    "scorm12/golf_RuntimeMinimumCalls_SCORM12.zip": (
        "scorm12", "1.2", "Golf Explained - Minimum Run-time Calls", 4, 18, 18,
    ),
    "scorm12/edge/ItemWithNonExistentResourceId_SCORM12.zip": (
        "scorm12", "1.2", "Item With Non-Existent Resource ID Test", 1, 1, 1,
    ),
    "scorm12/edge/LaunchUrlFromNestedItem_SCORM12.zip": ("scorm12", "1.2", "Launch URL From Nested Item Test", 2, 2, 2),
    "scorm12/edge/MultipleItemsWithIdentifierRef_SCORM12.zip": (
        "scorm12", "1.2", "Multiple Items With IdentifierRef Test", 1, 3, 3,
    ),
    "scorm12/edge/PrerequisitesTest_SCORM12.zip": ("scorm12", "1.2", "Prerequisites Test Course", 1, 4, 4),
    "scorm2004/golf_ContentPackagingOneFilePerSCO_SCORM20043rdEdition.zip": (
        "scorm2004", "2004 3rd Edition", "Golf Explained - CP One File Per SCO", 4, 18, 18,
    ),
    "scorm2004/golf_ContentPackagingSingleSCO_SCORM20042ndEdition.zip": (
        "scorm2004", "2004 2nd Edition", "Golf Explained - CP Single SCO", 1, 1, 1,
    ),
    "scorm2004/golf_RunTimeAdvancedCalls_SCORM20043rdEdition.zip": (
        "scorm2004", "2004 3rd Edition", "Golf Explained - Run-time Advanced Calls", 1, 1, 1,
    ),
    "scorm2004/golf_SequencingForcedSequential_SCORM20043rdEdition.zip": (
        "scorm2004", "2004 3rd Edition", "Golf Explained - Sequencing Forced Order", 1, 5, 5,
    ),
    "scorm2004/golf_SequencingPostTestRollup4thEd_SCORM20044thEdition.zip": (
        "scorm2004", "2004 4th Edition", "Golf Explained - 4th Edition Features", 1, 5, 5,
    ),
    "scorm2004/golf_SequencingRandomTest_SCORM20043rdEdition.zip": (
        "scorm2004", "2004 3rd Edition", "Golf Explained - Sequencing Random Test", 2, 8, 8,
    ),
    "h5p/H5P.Accordion.h5p": ("h5p", "H5P.Accordion 1.0", "Accordion", 1, 1, 1),
    "h5p/H5P.Blanks.h5p": ("h5p", "H5P.Blanks 1.12", "Fill in the Blanks", 1, 1, 1),
    "h5p/H5P.Chart.h5p": ("h5p", "H5P.Chart 1.2", "Chart", 1, 1, 1),
    "h5p/H5P.CoursePresentation.h5p": (
        "h5p", "H5P.CoursePresentation 1.22", "Hub Download Course Presentation All", 1, 1, 1,
    ),
    "h5p/H5P.DragQuestion.h5p": ("h5p", "H5P.DragQuestion 1.13", "Drag and Drop", 1, 1, 1),
    "h5p/H5P.InteractiveVideo.h5p": ("h5p", "H5P.InteractiveVideo 1.22", "Hub Download Interactive Video All", 1, 1, 1),
    "h5p/H5P.MultiChoice.h5p": ("h5p", "H5P.MultiChoice 1.14", "Multiple Choice", 1, 1, 1),
    "h5p/H5P.QuestionSet.h5p": ("h5p", "H5P.QuestionSet 1.17", "Hub Download Question Set All", 1, 1, 1),
    "h5p/H5P.TrueFalse_h5p-standalone-test.h5p": ("h5p", "H5P.TrueFalse 1.6", "Hello World", 1, 1, 1),
    "h5p/greetingcard1-minimal.h5p": ("h5p", "H5P.GreetingCard1 1.0", "Greeting card 1", 1, 1, 1),
    "h5p/validator-valid2.h5p": ("h5p", "H5P.GreetingCard 1.0", "Greeting card", 1, 1, 1),
    "h5p/edge/long_content_file_name.h5p": ("h5p", "H5P.GreetingCard 1.0", "Greeting", 1, 1, 1),
    # Ruta plays H5P with h5p-standalone 3.8 (core API 1.24): this package's coreApi 1.19 is supported.
    "h5p/invalid/invalid-core-version.h5p": ("h5p", "H5P.GreetingCard 1.0", "Greeting card", 1, 1, 1),
    # The SVG payload is neutralised (never shown inline), so the package itself imports; see test below.
    "h5p/invalid/xss-svg.h5p": ("h5p", "H5P.Blanks 1.14", "123", 1, 1, 1),
    "olx/openedx-demo-course-lite.tar.gz": ("olx", "olx", "Open edX Demo Course", 6, 17, 20),
    "olx/openedx-demo-content-library.tar.gz": ("olx", "olx-library", "Respiratory System Question Bank 1", 1, 1, 6),
}  # fmt: skip

# error code expected in the report (and a few words of the Spanish reason)
REFUSED = {
    "cmi5/catapult_lts_209-1-not-a-zip.zip": ("not_an_archive", "no es un paquete ZIP"),
    "cmi5/catapult_lts_course-structures.zip": ("cmi5_unsupported", "cmi5"),
    "cmi5/catapult_pre_post_test_framed-novideo.zip": ("cmi5_unsupported", "cmi5"),
    "cmi5/tincan_basic_course.zip": ("xapi_unsupported", "xAPI"),
    "scorm12/validation/aicc-package.zip": ("aicc_unsupported", "AICC"),
    "scorm12/validation/moodle_validaicc.zip": ("aicc_unsupported", "AICC"),
    "scorm12/validation/moodle_badscorm.zip": ("nested_manifest", "«badscorm»"),
    "scorm12/validation/moodle_invalid.zip": ("unknown_format", "No se reconoce el formato"),
    "scorm12/validation/moodle_validscorm.zip": ("xml_malformed", "no es un XML bien formado"),
    "scorm12/edge/MalformedXml_SCORM12.zip": ("xml_malformed", "no es un XML bien formado"),
    "scorm12/edge/MissingLaunchUrl_SCORM12.zip": ("nothing_launchable", "ninguna lección"),
    "scorm12/edge/InvalidFileReferences_SCORM12.zip": ("missing_launch_file", "content/nonexistent.html"),
    # manifest-only fixtures: the manifest parses (see below) but the launch files are not in the zip
    "scorm12/edge/ComplexNestedOrganization_SCORM12.zip": ("missing_launch_file", "content/module1.html"),
    "scorm12/edge/MissingRequiredFields_SCORM12.zip": ("missing_launch_file", "content/index.html"),
    "scorm2004/edge/AdlAttributes_SCORM20043rdEdition.zip": ("missing_launch_file", "index.html"),
    "scorm2004/edge/ContentPackagingNoSchemaVersion_SCORM20042ndEdition.zip": ("missing_launch_file", "index.html"),
    "scorm2004/edge/MinimalValid_SCORM20043rdEdition.zip": ("missing_launch_file", "index.html"),
    "scorm2004/edge/InvalidMissingOrgIdentifier_SCORM20043rdEdition.zip": ("org_without_identifier", "identificador"),
    # its @default names no organization: like Moodle, the first is used (a warning); its launch files are absent
    "scorm2004/adl-cts/CM-01-broken-default-org.zip": ("missing_launch_file", "resources/SequencingTest.htm"),
    "scorm2004/adl-cts/adl-cts-4thEd-LMSTestPackages-manifests.zip": ("several_packages", "varios paquetes"),
    "h5p/invalid/2-invalid-libraries.h5p": ("h5p_bad_language", "XXX!.json"),
    "h5p/invalid/broken-content-json.h5p": ("h5p_bad_content", "content.json"),
    "h5p/invalid/broken-h5p-json.h5p": ("h5p_bad_manifest", "h5p.json"),
    "h5p/invalid/corrupt_archive.h5p": ("not_an_archive", "no es un paquete ZIP"),
    "h5p/invalid/invalid-h5p-json-schema.h5p": ("h5p_bad_manifest", "mainLibrary"),
    "h5p/invalid/invalid-language-file-json.h5p": ("h5p_bad_language", "fr.json"),
    "h5p/invalid/invalid-library-directory-name.h5p": ("h5p_bad_library_folder", "no coincide"),
    "h5p/invalid/invalid-library-json.h5p": ("h5p_bad_library", "incompleto"),
    "h5p/invalid/malformed-library-directory.h5p": ("h5p_bad_library_folder", "library!"),
    "h5p/invalid/missing-preloaded-js.h5p": ("h5p_missing_library_file", "greetingcard.js"),
}

for _name in corpus_files():
    if _name.startswith("cc/"):
        REFUSED.setdefault(
            _name,
            ("not_an_archive", "no es un paquete ZIP")
            if _name.endswith(".xml")
            else ("qti_unsupported", "QTI")
            if "qti" in _name and "cartridge" not in _name
            else ("cc_unsupported", "Common Cartridge"),
        )


def test_every_corpus_file_has_an_expectation():
    files = corpus_files()
    assert len(files) == 88
    assert sorted(set(files) - set(PARSED) - set(REFUSED)) == []


@pytest.mark.parametrize("name", sorted(PARSED))
def test_corpus_package_is_parsed(name):
    fmt, version, title, n_modules, n_lessons, n_activities = PARSED[name]
    report = package_inspect(CORPUS / name)
    assert report.importable, report.refusal
    assert (report.format, report.version, report.title) == (fmt, version, title)
    outline = report.outline
    assert (len(outline.modules), len(outline.lessons()), len(outline.activities())) == (
        n_modules,
        n_lessons,
        n_activities,
    )
    for lesson in outline.lessons():
        assert lesson.title
        assert any(not isinstance(b, Unsupported) for b in lesson.blocks)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_corpus_package_is_refused_with_a_reason(name):
    code, words = REFUSED[name]
    report = package_inspect(CORPUS / name)
    assert not report.importable
    assert code in report.codes("error"), report.codes()
    assert words in report.refusal
    assert "Traceback" not in report.refusal


# --- details -----------------------------------------------------------------------------------------------


def players(name):
    return [b for b in package_inspect(CORPUS / name).outline.blocks() if isinstance(b, PackagePlayer)]


def test_scorm12_single_sco_launch_file():
    (sco,) = players("scorm12/golf_ContentPackagingSingleSCO_SCORM12.zip")
    assert (sco.engine, sco.launch, sco.tracked) == ("scorm12", "shared/launchpage.html", True)


def test_scorm12_multi_sco_keeps_item_parameters_and_nesting():
    report = package_inspect(CORPUS / "scorm12/golf_RuntimeMinimumCalls_SCORM12.zip")
    modules = report.outline.modules
    assert [m.title for m in modules] == ["Playing the Game", "Etiquette", "Handicapping", "Having Fun"]
    quiz = modules[0].lessons[-1].blocks[0]
    assert (quiz.title, quiz.launch, quiz.parameters) == (
        "Playing Golf Quiz",
        "shared/assessmenttemplate.html",
        "questions=Playing",
    )
    assert len({b.launch for b in report.outline.blocks()}) > 10
    assert "shared/assessmenttemplate.html" in report.launch_files


def test_scorm12_assets_are_untracked():
    blocks = players("scorm12/golf_ContentPackagingOneFilePerSCO_SCORM12.zip")
    assert not any(b.tracked for b in blocks)


def test_scorm12_mastery_score_and_prerequisites():
    report = package_inspect(CORPUS / "scorm12/edge/PrerequisitesTest_SCORM12.zip")
    scores = [b.mastery_score for b in report.outline.blocks()]
    assert scores == [0.8, None, None, 0.9]
    assert "sequencing_prereq" in report.codes("warning")


def test_scorm2004_sequencing_is_reported_but_imported():
    report = package_inspect(CORPUS / "scorm2004/golf_SequencingForcedSequential_SCORM20043rdEdition.zip")
    assert report.importable
    assert {"sequencing_rules", "sequencing_global"} <= set(report.codes("warning"))
    assert [b.parameters for b in report.outline.blocks()] == [
        "content=playing", "content=etiquette", "content=handicapping", "content=havingfun", "content=assessment",
    ]  # fmt: skip
    random_test = package_inspect(CORPUS / "scorm2004/golf_SequencingRandomTest_SCORM20043rdEdition.zip")
    assert {"sequencing_random", "sequencing_rollup", "sequencing_limits"} <= set(random_test.codes("warning"))


def test_scorm2004_mastery_from_min_normalized_measure():
    (sco,) = players("scorm2004/golf_RunTimeAdvancedCalls_SCORM20043rdEdition.zip")
    assert sco.engine == "scorm2004"
    assert sco.mastery_score is not None and 0 < sco.mastery_score <= 1


def test_scorm_missing_resource_is_skipped_with_warning():
    report = package_inspect(CORPUS / "scorm12/edge/ItemWithNonExistentResourceId_SCORM12.zip")
    assert "missing_resource" in report.codes("warning")
    assert [b.launch for b in report.outline.blocks()] == ["content/item2.html"]


def test_manifest_only_fixtures_parse():
    with zipfile.ZipFile(CORPUS / "scorm12/edge/ComplexNestedOrganization_SCORM12.zip") as zf:
        parsed = parse_scorm_manifest(zf.read("imsmanifest.xml"))
    assert [len(m.lessons) for m in parsed.outline.modules] == [7, 3, 1]
    assert parsed.outline.lessons()[3].title == "Topic 1.1.1.1"
    with zipfile.ZipFile(CORPUS / "scorm2004/edge/ContentPackagingNoSchemaVersion_SCORM20042ndEdition.zip") as zf:
        parsed = parse_scorm_manifest(zf.read("imsmanifest.xml"))
    assert parsed.outline.format == "scorm2004"
    assert "version_inferred" in parsed.findings.codes()
    with zipfile.ZipFile(CORPUS / "scorm12/edge/MissingRequiredFields_SCORM12.zip") as zf:
        parsed = parse_scorm_manifest(zf.read("imsmanifest.xml"))
    assert "missing_title" in parsed.findings.codes("warning")


def test_adl_cts_manifests_all_parse_or_refuse_cleanly():
    parsed = refused = 0
    with zipfile.ZipFile(CORPUS / "scorm2004/adl-cts/adl-cts-4thEd-LMSTestPackages-manifests.zip") as zf:
        manifests = [n for n in zf.namelist() if n.endswith("imsmanifest.xml")]
        for name in manifests:
            try:
                result = parse_scorm_manifest(zf.read(name))
            except PackageRefused as refusal:
                assert refusal.reason
                refused += 1
                continue
            assert result.outline.format == "scorm2004"
            assert result.outline.format_version == "2004 4th Edition"
            parsed += 1
    assert len(manifests) == 189
    assert parsed > 150


def test_h5p_multichoice_answers():
    report = package_inspect(CORPUS / "h5p/H5P.MultiChoice.h5p")
    (question,) = report.outline.activities()
    assert isinstance(question, ChoiceActivity)
    assert question.prompt == "What color does the blackcurrant berry actually have?"
    assert question.correct_answers == ["Very dark purple"]
    assert not question.multiple


def test_h5p_true_false_answer():
    (question,) = package_inspect(CORPUS / "h5p/H5P.TrueFalse_h5p-standalone-test.h5p").outline.activities()
    assert question.style == "true_false"
    assert question.prompt == "Is this false?"
    assert question.correct_answers == ["Falso"]


def test_h5p_blanks_answers():
    (question,) = package_inspect(CORPUS / "h5p/H5P.Blanks.h5p").outline.activities()
    assert isinstance(question, FillBlanksActivity)
    assert [b.answers for b in question.blanks] == [["blue"], ["Cloud"], ["black"]]
    assert "[[1]]berries" in question.text and "*" not in question.text


def test_h5p_player_for_unconvertible_types():
    (player,) = players("h5p/H5P.Accordion.h5p")
    assert (player.engine, player.launch, player.library) == ("h5p", "h5p.json", "H5P.Accordion 1.0")


def test_h5p_script_svg_is_neutralised():
    report = package_inspect(CORPUS / "h5p/invalid/xss-svg.h5p")
    assert "active_svg" in report.codes("warning")
    assert "content/images/xss.svg" in next(f.message for f in report.findings if f.code == "active_svg")


def test_olx_course_structure_and_answers():
    report = package_inspect(CORPUS / "olx/openedx-demo-course-lite.tar.gz")
    outline = report.outline
    assert outline.modules[0].title == "Module 1: Dive into the Open edX® platform!"
    assert outline.modules[0].lessons[0].title == "Introduction to the Open edX® platform"
    by_prompt = {getattr(a, "prompt", ""): a for a in outline.activities()}
    fish = by_prompt["What kind of fish is this?"]
    assert fish.correct_answers == ["Jellyfish"]
    migration = next(a for p, a in by_prompt.items() if p.startswith("Which of the following animals"))
    assert migration.multiple and migration.correct_answers == ["Monarch butterfly", "Arctic tern"]
    numeric = next(a for a in outline.activities() if isinstance(a, NumericActivity) and a.answer == 600)
    assert numeric.tolerance == 5
    dwarfs = next(a for a in outline.activities() if isinstance(a, TextEntryActivity) and "Doc" in a.answers)
    assert len(dwarfs.answers) == 7 and not dwarfs.case_sensitive
    videos = [b for b in outline.blocks() if type(b).__name__ == "Video"]
    assert len(videos) == 11 and all(v.url.startswith("https://") for v in videos)
    assert sum(v.url.startswith("https://www.youtube.com/watch?v=") for v in videos) == 10


def test_olx_author_python_is_never_run_and_listed():
    report = package_inspect(CORPUS / "olx/openedx-demo-course-lite.tar.gz")
    python = [f for f in report.findings if f.code == "olx_problem_unsupported" and "Python" in f.message]
    assert len(python) >= 5
    kinds = {b.kind for b in report.outline.unsupported()}
    assert {"problem", "lti", "discussion", "openassessment"} <= kinds
    assert "olx_missing_static" in report.codes("warning")  # the lite export lacks large static files


def test_olx_html_is_sanitised():
    report = package_inspect(CORPUS / "olx/openedx-demo-course-lite.tar.gz")
    html = "".join(b.html for b in report.outline.blocks() if type(b).__name__ == "RichText")
    tags: list[tuple[str, list]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Collect().feed(html)
    assert tags
    assert not {t for t, _a in tags} & {"script", "style", "iframe", "object", "embed", "svg"}
    for _tag, attrs in tags:
        assert not [k for k, _v in attrs if k.startswith("on") or k == "style"]
        assert not [v for _k, v in attrs if v and v.strip().lower().startswith("javascript:")]
    assert 'src="static/' in html  # /static/ links kept as package files


def test_olx_library_questions():
    outline = package_inspect(CORPUS / "olx/openedx-demo-content-library.tar.gz").outline
    first = outline.activities()[0]
    assert first.prompt.startswith("Which structure is responsible")
    assert first.correct_answers == ["B. Epiglottis"]
    assert "epiglottis" in first.explanation.lower()
