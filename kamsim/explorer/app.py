"""Panel user interface of the policy explorer: widgets bound to one :class:`ExplorerState` per session.

Why Panel (HoloViz): it is actively maintained and the *same* Python objects
run both as a served web app (Bokeh/Tornado server bound to the address we
choose, 127.0.0.1, with one Python session per browser tab) and as a JupyterLab
cell output (through pyviz_comms), which the trainers need for live demos in
chapters 06 and 08.  Its widgets are plain Python objects with ``param``
watchers, so all logic stays in the framework-free :mod:`kamsim.explorer.state`
and the UI here is a thin binding.  Voilà over an ipywidgets notebook would start
a Jupyter kernel per visitor and couple the app to a notebook file; Streamlit
re-runs the whole script on every interaction and does not render as a
JupyterLab cell output; Dash does not either without extra packages.

Layout: the form on the left (portfolio, scenario knobs with units and valid
ranges from the Scenario's pydantic fields, policy bundles, run settings; a red
message under a field when it is wrong), results on the right (progress bar,
cancel, the paired-difference figure, a readable table, the zip download and the
equivalent ``kamsim compare`` command).  The comparison runs in the state's
background thread; a periodic callback of the session copies its progress into
the page, so the page never freezes.
"""

from __future__ import annotations

import io
import math
import os
import socket
from typing import Any

import pandas as pd
import panel as pn

from kamsim.explorer.state import ExplorerState, Knob
from kamsim.scenario import Scenario

#: Milliseconds between two progress updates of a running comparison.
POLL_MS = 250

_SOURCE_LABELS = {"Shipped dataset": "dataset", "Generate": "generated", "Folder": "folder"}

_INTRO = """\
## kamsim policy explorer (大客户管理)
Pick a portfolio, set the scenario's main knobs, choose two or more policy bundles and press **Run comparison**.
Every policy is simulated on the same replications (common random numbers); the result is the difference to the
baseline with its confidence interval. An interval that does not cross 0 is a difference the replications support.
"""


def _css(name: str) -> str:
    """CSS class of a form field (used by the browser test): ``kx-`` + the field name, dots as dashes."""
    return "kx-" + name.replace(".", "-").replace("_", "-")


def _fmt(value: Any) -> str:
    """A number for the results table: thousands separators for money, 4 significant digits otherwise."""
    if isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "–"
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:.4g}"


def _make(cls: Any, text: str | None = None, style: str | None = None, **params: Any) -> Any:
    """A widget with title ``text`` and button colour ``style``, for Panel 1.4 up to today.

    Panel >= 1.9 calls a widget's title ``label`` and a button's colour ``color``; earlier ones
    ``name`` and ``button_type``.
    """
    if text is not None:
        params["label" if "label" in cls.param else "name"] = text
    if style is not None:
        params["color" if "color" in cls.param else "button_type"] = style
    return cls(**params)


class ExplorerApp:
    """The widgets of one explorer session, bound to ``state``.

    ``ExplorerApp(state).layout`` is the page; every widget writes its value into the state
    with :meth:`ExplorerState.set` and shows the field's message below it.
    """

    def __init__(self, state: ExplorerState) -> None:
        self.state = state
        self.widgets: dict[str, Any] = {}
        self.messages: dict[str, pn.pane.Markdown] = {}
        self._poll: Any = None
        self._shown: Any = None
        self._build()

    # ------------------------------------------------------------------ building the form

    def _message_pane(self, name: str) -> pn.pane.Markdown:
        pane = pn.pane.Markdown(
            "", visible=False, css_classes=[_css(name) + "-error"], margin=(0, 10, 6, 10),
            styles={"color": "#b00020", "font-size": "0.9em"},
        )
        self.messages[name] = pane
        return pane

    def _field(self, name: str, widget: Any, help_text: str | None = None, watch: str = "value") -> pn.Column:
        """A widget bound to state field ``name`` (through its parameter ``watch``), its help text and message pane."""
        self.widgets[name] = widget
        widget.css_classes = [*widget.css_classes, _css(name)]
        widget.param.watch(lambda event, n=name: self._changed(n, event.new), watch)
        parts: list[Any] = [widget]
        if help_text:
            parts.append(pn.pane.Markdown(help_text, margin=(-8, 10, 0, 10), styles={"font-size": "0.8em", "color": "#555"}))
        parts.append(self._message_pane(name))
        return pn.Column(*parts, margin=0)

    def _number(self, name: str, label: str, value: Any, width: int, help_text: str | None = None,
                placeholder: str = "") -> pn.Column:
        """A number field: a text box whose every keystroke reaches the state, which parses and checks it.

        (A numeric input sends its value only on Enter or when it loses focus, which JupyterLab's
        key handling can swallow; the state's own parsing also gives clearer messages.)
        """
        widget = _make(pn.widgets.TextInput, label, value="" if value is None else str(value), placeholder=placeholder,
                       width=width)
        return self._field(name, widget, help_text, watch="value_input")

    def _knob_widget(self, knob: Knob) -> pn.Column:
        return self._number(
            knob.path, f"{knob.label} [{knob.unit}]", self.state.knob_values.get(knob.path), 380, knob.help_text(),
            "automatic" if knob.optional else "",
        )

    def _build(self) -> None:
        s = self.state
        # portfolio
        source = _make(pn.widgets.RadioButtonGroup, "Portfolio", "default", options=_SOURCE_LABELS, value=s.source)
        datasets = s.dataset_choices()
        dataset = _make(
            pn.widgets.Select, "Shipped dataset", options={f"{n}: {d}": n for n, d in datasets.items()}, value=s.dataset, width=380
        )
        self._dataset_box = pn.Column(self._field("dataset", dataset), margin=0)
        self._generated_box = pn.Column(
            self._number("gen_accounts", "Accounts", s.gen_accounts, 180),
            self._number("gen_seed", "Generator seed", s.gen_seed, 180),
            self._field("gen_locale", _make(pn.widgets.Select, "Locale", options=list(s.locales()), value=s.gen_locale, width=180)),
            self._number("gen_history_months", "History [months]", s.gen_history_months, 180,
                         "months of simulated CRM history before the start"),
            margin=0,
        )
        self._folder_box = pn.Column(
            self._field(
                "folder",
                _make(pn.widgets.TextInput, "Portfolio folder", value=s.folder, placeholder="path/to/portfolio", width=380),
                "a folder written by `kamsim generate` (or `kamsim calibrate`); press Enter to check it",
            ),
            margin=0,
        )
        portfolio = pn.Column(
            "### 1. Portfolio", self._field("source", source), self._dataset_box, self._generated_box, self._folder_box,
        )
        # scenario
        base = f"scenario file `{s.scenario_file}`" if s.scenario_file else "the default scenario"
        knob_fields = [self._knob_widget(k) for k in s.knobs]
        notes = [pn.pane.Markdown("\n".join(f"- {n}" for n in s.knob_notes), styles={"font-size": "0.8em", "color": "#555"})] if s.knob_notes else []
        scenario = pn.Column("### 2. Scenario", pn.pane.Markdown(f"Starting from {base}; every other parameter is kept."), *knob_fields, *notes)
        # policies
        bundles = s.bundles()
        policies = _make(pn.widgets.CheckBoxGroup, "Policy bundles", options=list(bundles["name"]), value=list(s.policies), inline=False)
        described = "\n".join(f"- **{r.name}**: {r.description}" for r in bundles.itertuples())
        baseline = _make(pn.widgets.Select, "Baseline", options=s.ordered_policies(), value=s.effective_baseline(), width=380)
        policy_box = pn.Column(
            "### 3. Policy bundles",
            self._field("policies", policies),
            pn.Card(pn.pane.Markdown(described, styles={"font-size": "0.85em"}), title="What the bundles do", collapsed=True, width=400),
            self._field("baseline", baseline, "the others are compared with this one"),
        )
        # run settings
        cores = max(1, os.cpu_count() or 1)
        settings = pn.Row(
            self._number("replications", "Replications", s.replications, 150, "per policy, >= 2"),
            self._number("workers", "Workers", s.workers, 150, f"processes, 1 to {cores}"),
            self._number("seed", "Seed", s.seed, 150, "master seed, >= 0"),
        )
        self.run_button = _make(pn.widgets.Button, "Run comparison", "primary", css_classes=["kx-run"], width=180)
        self.cancel_button = _make(pn.widgets.Button, "Cancel", "warning", disabled=True, css_classes=["kx-cancel"], width=120)
        self.run_button.on_click(self._on_run)
        self.cancel_button.on_click(self._on_cancel)
        self.form_message = pn.pane.Markdown("", visible=False, css_classes=["kx-form-error"], styles={"color": "#b00020"})
        form = pn.Column(portfolio, scenario, policy_box, width=440)

        # run and results
        self.progress = _make(pn.indicators.Progress, value=0, max=100, active=False, width=480, css_classes=["kx-progress"])
        self.status = pn.pane.Markdown(s.message, css_classes=["kx-status"])
        self.plot = pn.pane.PNG(None, visible=False, css_classes=["kx-plot"], sizing_mode="scale_width", max_width=1100)
        self.table = pn.pane.DataFrame(
            None, visible=False, index=False, css_classes=["kx-table"], sizing_mode="stretch_width",
            stylesheets=["td, th { text-align: right; } td:nth-child(-n+3), th:nth-child(-n+3) { text-align: left; }"],
        )
        self.download = _make(
            pn.widgets.FileDownload, None, "success", callback=self._zip, filename="kamsim_comparison.zip",
            label="Download results (zip)", embed=False, disabled=True, css_classes=["kx-download"], width=240,
        )
        self.command = pn.pane.Markdown("", visible=False, css_classes=["kx-command"])
        results = pn.Column(
            "### 4. Run", settings, pn.Row(self.run_button, self.cancel_button), self.form_message,
            self.progress, self.status,
            "### Results: paired differences vs the baseline",
            self.plot, pn.Row(self.download), self.command,
            pn.Column(self.table, scroll=True, max_height=480, sizing_mode="stretch_width"),
            sizing_mode="stretch_width", min_width=520,
        )
        self.layout = pn.Column(pn.pane.Markdown(_INTRO), pn.Row(form, results, sizing_mode="stretch_width"), sizing_mode="stretch_width")
        self._show_source()
        self._show_messages()

    # ------------------------------------------------------------------ callbacks

    def _changed(self, name: str, value: Any) -> None:
        self.state.set(name, value)
        if name == "source":
            self._show_source()
        if name == "policies":
            baseline = self.widgets["baseline"]
            options = self.state.ordered_policies()
            chosen = self.state.effective_baseline()
            baseline.options = options
            if chosen is not None and baseline.value != chosen:
                baseline.value = chosen
        self._show_messages()

    def _show_source(self) -> None:
        self._dataset_box.visible = self.state.source == "dataset"
        self._generated_box.visible = self.state.source == "generated"
        self._folder_box.visible = self.state.source == "folder"

    def _show_messages(self) -> None:
        for name, pane in self.messages.items():
            message = self.state.errors.get(name)
            pane.object = f"⚠ {message}" if message else ""
            pane.visible = bool(message)

    def _on_run(self, _event: Any = None) -> bool:
        started = self.state.start()
        self._show_messages()
        self.form_message.object = "" if started else self.state.message
        self.form_message.visible = not started
        self._refresh()
        if started:
            self._start_polling()
        return started

    def _on_cancel(self, _event: Any = None) -> None:
        self.state.cancel()
        self._refresh()

    def _start_polling(self) -> None:
        if self._poll is not None:
            self._poll.stop()
        self._poll = pn.state.add_periodic_callback(self._refresh, period=POLL_MS)

    def _refresh(self) -> None:
        """Copy the state's progress and result into the page; stop polling when the run has ended."""
        s = self.state
        running = s.running
        self.progress.value = int(round(100 * s.progress))
        self.progress.active = running and s.done == 0
        self.status.object = s.message
        self.run_button.disabled = running
        self.cancel_button.disabled = s.status != "running"
        if not running:
            if self._poll is not None:
                self._poll.stop()
                self._poll = None
            if s.result is not None and s.result is not self._shown:
                self._show_result()

    def _show_result(self) -> None:
        result = self.state.result
        assert result is not None
        self._shown = result
        self.plot.object = result.plot_png
        self.plot.visible = True
        table = result.table()
        self.table.object = pd.DataFrame({c: [_fmt(v) for v in table[c]] for c in table.columns})
        self.table.visible = True
        self.download.disabled = False
        self.command.object = (
            f"{result.portfolio_label}; {len(result.policies)} policies x {result.replications} replications, "
            f"seed {result.seed}. The zip holds the CSV and PNG files, `scenario.yaml`, the portfolio and a README; "
            f"inside it, this command reproduces the numbers:\n\n```\n{result.command()}\n```"
        )
        self.command.visible = True

    def _zip(self) -> io.BytesIO:
        return io.BytesIO(self.state.results_zip())

    def __panel__(self) -> pn.Column:
        return self.layout


# ----------------------------------------------------------------------------- entry points


def _load_extension() -> None:
    """Load Panel's JavaScript into the notebook, inline: classrooms are often offline (no CDN).

    Loaded on every call: a page reloaded in the browser has lost it although the kernel already loaded it once.
    """
    pn.extension(inline=True)


def explorer(
    dataset: str | None = None,
    portfolio_dir: str | os.PathLike[str] | None = None,
    scenario: Scenario | str | os.PathLike[str] | None = None,
) -> pn.Column:
    """A new explorer (its own state) as a Panel layout: the cell output in JupyterLab.

    >>> from kamsim.explorer import explorer
    >>> explorer()                                    # doctest: +SKIP
    """
    _load_extension()
    app = ExplorerApp(ExplorerState(dataset=dataset, portfolio_dir=portfolio_dir, scenario=scenario))
    app.layout.explorer_app = app  # keep the app (and its state) alive with the layout
    return app.layout


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(
    port: int = 5006,
    dataset: str | None = None,
    portfolio_dir: str | os.PathLike[str] | None = None,
    scenario: Scenario | str | os.PathLike[str] | None = None,
    show: bool = False,
    start: bool = True,
) -> Any:
    """Serve the explorer on ``http://127.0.0.1:<port>/`` (never on other interfaces).

    Every browser session gets its own :class:`ExplorerState` (two tabs never share a run);
    its temporary files go when the session ends.  ``port=0`` picks a free port.  With
    ``start=False`` the Bokeh server is returned without running its loop.
    """
    base = scenario if scenario is None or isinstance(scenario, Scenario) else str(scenario)
    ExplorerState(dataset=dataset, portfolio_dir=portfolio_dir, scenario=base)  # fail now on bad arguments
    port = free_port() if port == 0 else int(port)

    def session() -> pn.Column:
        state = ExplorerState(dataset=dataset, portfolio_dir=portfolio_dir, scenario=base)
        pn.state.on_session_destroyed(lambda _context: state.close())
        return ExplorerApp(state).layout

    pn.extension()
    server = pn.serve(
        session,
        port=port,
        address="127.0.0.1",
        websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"],
        show=False,
        start=False,
        title="kamsim policy explorer",
        verbose=False,
    )
    server.explorer_url = f"http://127.0.0.1:{port}/"
    if show:
        import webbrowser

        server.io_loop.add_callback(webbrowser.open, server.explorer_url)
    if start:
        print(f"kamsim policy explorer: {server.explorer_url}  (only this computer can reach it; Ctrl+C stops it)",
              flush=True)
        server.start()
        try:
            server.io_loop.start()
        except KeyboardInterrupt:  # pragma: no cover - interactive stop
            pass
        finally:
            server.stop()
    return server
