"""Widget pieces every app shares: the page heading, notes, a result card, safe HTML."""

from __future__ import annotations

import html

import ipywidgets as widgets

__all__ = ["esc", "heading", "note", "card", "full_width", "page"]


def esc(text: object) -> str:
    """Escape text for HTML: whatever a visitor typed is shown, never interpreted.

    >>> esc('<b>"x"</b>')
    '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
    """
    return html.escape(str(text), quote=True)


def full_width(**extra) -> widgets.Layout:
    """A layout that fills the width of a phone and stops at a readable width on a screen."""
    return widgets.Layout(width="100%", max_width="760px", **extra)


def heading(title: str, intro: str = "") -> widgets.HTML:
    """The app's introduction; the title is the notebook's own first cell, so it is only
    given to assistive technology here."""
    return widgets.HTML(
        f"<section aria-label='{esc(title)}'><p>{intro}</p></section>", layout=full_width()
    )


def note(text: str, tone: str = "info") -> str:
    """A coloured note (``info``, ``ok``, ``warn``, ``bad``) as HTML; ``text`` is HTML."""
    colours = {
        "info": ("#e8f0fb", "#0b4a8b"),
        "ok": ("#e6f4ea", "#17642d"),
        "warn": ("#fff4e0", "#8a5300"),
        "bad": ("#fde8e8", "#a11a1a"),
    }
    background, border = colours[tone]
    return (
        f"<div class='hocso-note-{tone}' style='background:{background};border-left:5px solid "
        f"{border};padding:8px 12px;margin:8px 0;border-radius:4px'>{text}</div>"
    )


def card(title: str, body: str) -> str:
    """A bordered block with a bold title; ``body`` is HTML."""
    return (
        "<div style='border:1px solid #ccd;border-radius:8px;padding:10px 12px;margin:8px 0'>"
        f"<div style='font-weight:600;margin-bottom:4px'>{esc(title)}</div>{body}</div>"
    )


def page(*children: widgets.Widget) -> widgets.VBox:
    """The app: its widgets stacked, full width."""
    return widgets.VBox(list(children), layout=full_width())
