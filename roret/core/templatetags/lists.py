"""The list tags (roret.core.lists): ``{% list_headers page %}`` writes the column headers of a
list, each sortable one a link with ``aria-sort`` saying how the list is sorted now."""

from django import template

register = template.Library()


@register.inclusion_tag("core/_list_headers.html")
def list_headers(page):
    headers = []
    for column in page.spec.columns:
        state = ""
        if column.sortable and column.key == page.sort:
            state = "descending" if page.descending else "ascending"
        headers.append({"column": column, "state": state,
                        "href": page.sort_query(column.key) if column.sortable else ""})
    return {"headers": headers}
