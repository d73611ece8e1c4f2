"""What a person does in JupyterLab, as Playwright steps: open a notebook, run cells, type into
a cell's editor, read outputs, use the menus."""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .lab import LabServer

#: The notebook in the tab on show (the panels of other tabs stay in the page, hidden).
CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"
#: The tab of the notebook on show, in the main area.
CURRENT_TAB = "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current"
#: The status bar names the current notebook's kernel and its state once the page is connected
#: to it: "Python 3 (ipykernel) | Idle".
KERNEL_IDLE = ".jp-StatusBar-Widget >> text=/ \\| Idle$/"


def open_in_lab(page, lab: LabServer, path: str) -> None:
    """Open ``path`` (relative to the server root) in JupyterLab and wait until it shows; for a
    notebook, also until its kernel is idle.

    JupyterLab first restores the tabs open before, so for a moment another notebook is on show
    and the status bar may report *its* kernel idle: the wait starts once this notebook's tab
    is the current one."""
    page.goto(lab.url(f"lab/tree/{path}" if path else "lab"))
    if path.endswith(".ipynb"):
        name = path.rsplit("/", 1)[-1]
        page.locator(CURRENT_TAB, has_text=name).wait_for(timeout=60_000)
        page.locator(f"{CURRENT} .jp-Cell").first.wait_for()
        page.locator(KERNEL_IDLE).first.wait_for(timeout=120_000)
    else:
        page.locator(".jp-DirListing-item").first.wait_for()


def menu(page, *names: str) -> None:
    """Click through the menu bar: ``menu(page, "Run", "Run All Cells")``."""
    for name in names:
        page.get_by_role("menuitem", name=name, exact=True).click()


def code_cell(page, containing: str):
    """The code cell of the visible notebook whose source contains ``containing``."""
    return page.locator(f"{CURRENT} .jp-CodeCell").filter(
        has=page.locator(".jp-InputArea", has_text=containing))


def output_text(cell) -> str:
    """Everything the cell's output area holds, as text (read from the page's DOM: JupyterLab
    does not lay out cells scrolled out of sight, so their rendered text would read empty)."""
    return cell.locator(".jp-OutputArea").text_content()


def wait_for_output(cell, text: str, timeout: float = 60_000) -> None:
    """Wait until ``cell``'s output holds ``text``, then bring the cell into view. (JupyterLab
    skips drawing cells out of sight, and moves the view itself while it runs cells, so the
    wait looks at the page's content, not at what is drawn.)"""
    output = cell.locator(".jp-OutputArea-output", has_text=text)
    output.wait_for(state="attached", timeout=timeout)
    cell.scroll_into_view_if_needed()


def type_into(page, cell, source: str) -> None:
    """Replace the cell's source the way a student does: click in its editor, select all, type.
    Text is inserted as typed input, so the editor's auto-indent and bracket closing stay out."""
    cell.locator(".cm-content").click()
    # Until the editor has focus, Ctrl+A would select every cell of the notebook instead.
    cell.locator(".cm-editor.cm-focused").wait_for()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def run_cell_and_next(page, cell) -> None:
    """Select ``cell`` (a click on its prompt), press Shift+Enter, then Shift+Enter again in the
    cell below it (its visible check)."""
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")


def wait_until_run(cell, timeout: float = 60_000) -> None:
    """Wait until ``cell``'s prompt shows an execution count (``[3]:``): the kernel ran it."""
    cell.locator(".jp-InputPrompt", has_text=re.compile(r"\[\d+\]")).wait_for(
        state="attached", timeout=timeout)


def run_until_counted(page, cell, tries: int = 3, timeout: float = 20_000) -> None:
    """Run ``cell`` alone (Ctrl+Enter) until its prompt shows an execution count. Just after a
    notebook opens, its kernel can read idle a moment before cells run there, and a run is
    dropped without a word; a student would press again, and so does this."""
    for attempt in range(1, tries + 1):
        cell.locator(".jp-InputPrompt").click()
        page.keyboard.press("Control+Enter")
        try:
            wait_until_run(cell, timeout)
            return
        except PlaywrightTimeout:
            if attempt == tries:
                raise
