"""Reporting: the one HTML page writer and shared figure helpers."""

from .html import figure_to_img, page, table

__all__ = ["figure_to_img", "page", "table"]
