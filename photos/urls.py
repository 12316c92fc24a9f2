from django.urls import path

from . import views

app_name = "photos"
urlpatterns = [
    path("photos/", views.AlbumListView.as_view(), name="albums"),
    path("photos/albums/<int:pk>/", views.AlbumDetailView.as_view(), name="album"),
    path("photos/albums/<int:pk>/upload/", views.upload_to_album, name="upload"),
    path("photos/albums/<int:pk>/describe/", views.describe, name="describe"),
    path("events/<slug:slug>/photos/upload/", views.upload_to_event, name="upload_event"),
    path("photos/<int:pk>/", views.PhotoDetailView.as_view(), name="photo"),
    path("photos/<int:pk>/takedown/", views.takedown, name="takedown"),
    path("photos/<int:pk>/delete/", views.delete, name="delete"),
    path("photos/<int:pk>/status/", views.set_status, name="status"),
    path("photos/f/<uuid:key>/<str:name>", views.photo_file, name="file"),
]
