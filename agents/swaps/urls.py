from django.urls import path

from agents.swaps import api, views

urlpatterns = [
    path("role-swaps/", views.role_swaps, name="role-swaps"),
    path("role-swaps/<int:swap_id>/end/", views.role_swap_end, name="role-swap-end"),
    path("api/role-swaps/", api.RoleSwapListApi.as_view(), name="api-role-swap-list"),
    path(
        "api/role-swaps/<int:swap_id>/end/", api.RoleSwapEndApi.as_view(), name="api-role-swap-end"
    ),
]
