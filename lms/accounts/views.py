"""Account pages. Views parse, call a service and render; rules live in services and permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .profile_forms import ProfileForm


@login_required
def profile(request):
    profile = services.profile_get_or_create(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=profile)
        if form.is_valid():
            form.save()
            messages.success(request, _("Guardamos tus datos."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(instance=profile)
    return render(request, "accounts/profile.html", {"form": form})


def privacy(request):
    return render(request, "accounts/privacy.html")
