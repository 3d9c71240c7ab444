"""The design system's pieces, before every page uses them: legible and contained everywhere."""

from pathlib import Path

GALLERY = (Path(__file__).resolve().parent / "components.html").read_text()


def test_components_are_legible_and_fit(open_visitor):
    for viewport in ("desktop", "phone"):
        for scheme in ("light", "dark"):
            visitor = open_visitor(viewport=viewport, scheme=scheme)
            # The gallery is served from the app's own origin so the stylesheet loads as usual.
            visitor.goto("/auth/login")
            visitor.page.set_content(GALLERY)  # waits for the stylesheet to load
            assert visitor.page.evaluate("() => document.styleSheets[0].cssRules.length") > 50
            visitor.assert_no_horizontal_scroll()
            visitor.assert_inputs_labelled()
            visitor.assert_text_contrast(
                "h1, h2, p, td, th, label, a, button, time, .num, .stat .value, .stat .label, "
                ".badge, .help, .error, .flash-text, .empty p, .consequence, .progress-label span"
            )
            visitor.screenshot("components")
            visitor.assert_clean()
