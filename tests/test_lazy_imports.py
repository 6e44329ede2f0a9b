"""What each entry point imports: ``kamsim --help`` and ``course.setup()`` stay light (no pandas / seaborn / scipy)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def test_cli_help_imports_no_data_stack():
    code = "from kamsim.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    loaded = _modules_after(code)
    for heavy in ("pandas", "numpy", "scipy", "matplotlib", "simpy", "kamsim.generators", "kamsim.engine"):
        assert heavy not in loaded, f"`kamsim --help` imports {heavy}"


@pytest.mark.parametrize("command", ["generate", "calibrate", "simulate", "compare", "policies", "explore"])
def test_sub_command_help_imports_no_data_stack(command):
    code = f"from kamsim.cli import main\ntry:\n    main([{command!r}, '--help'])\nexcept SystemExit:\n    pass"
    loaded = _modules_after(code)
    assert "pandas" not in loaded and "scipy" not in loaded, f"`kamsim {command} --help` imports pandas or scipy"


def test_course_setup_needs_no_seaborn_or_scipy():
    loaded = _modules_after("import kamsim.course as c\nc.setup()")
    assert "seaborn" not in loaded and "scipy" not in loaded


def test_setup_contexts_scale_the_fonts():
    import matplotlib as mpl

    from kamsim.course import setup

    with mpl.rc_context():
        setup(cjk=False, context="talk")
        assert mpl.rcParams["font.size"] == pytest.approx(18.0)
        setup(cjk=False)
        assert mpl.rcParams["font.size"] == pytest.approx(12.0)
        assert mpl.rcParams["axes.grid"] and not mpl.rcParams["xtick.bottom"]
    with pytest.raises(ValueError, match="context must be one of"):
        setup(context="huge")
