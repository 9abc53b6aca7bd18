"""Routes of the activities app, each page module listing its own (staff activity pages,
the people of an activity and check-in, the member's own pages, study assignments)."""

from gonghui.activities import member_views, people_views, stats_views, study_views, views

app_name = "activities"
urlpatterns = [*views.urlpatterns, *people_views.urlpatterns, *member_views.urlpatterns, *study_views.urlpatterns,
               *stats_views.urlpatterns]
