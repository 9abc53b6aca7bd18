# Django's zh_Hans formats group digits by four with no separator (3463, 12345678), so
# `intcomma` wrote counts as 3463 next to money as 37,250 (core.formats.yuan). Pages write
# every figure the same way: thousands separated by commas.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
