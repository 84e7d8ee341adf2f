from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookshop.common.clients import client_address
from bookshop.shop.accounts.forms import EmailPasswordResetForm, ProfileForm, RegistrationForm
from bookshop.shop.accounts.models import User
from bookshop.shop.accounts.services import (
    RESET_FOR_EMAIL,
    RESET_FROM_ADDRESS,
    password_reset_throttle,
    user_register,
    user_update_profile,
)
from bookshop.shop.accounts.verification import email_verify, verification_request

RESET_TOO_OFTEN = (
    "Too many password reset requests from your address. Please wait an hour and try again."
)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("catalog:book_list")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Sign up and land logged in (the session, and so the cart, carries over)."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_register(form=form)
        if user is not None:
            login(request, user, backend=settings.SHOP_LOGIN_BACKEND)
            if user.email and not user.email_verified:  # user_register queued the link
                messages.info(
                    request,
                    f"We are sending a link to {user.email}: open it to confirm your address.",
                )
            messages.success(request, f"Welcome to the shop, {user.get_username()}!")
            return redirect(_safe_next(request))
    return render(
        request,
        "accounts/register.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The logged-in customer's own profile: there is no URL for anyone else's."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid() and user_update_profile(form=form):
        messages.success(request, "Your profile has been saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, as Django requires) and say so."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have been logged out.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, limited per client address and per email address."""

    form_class = EmailPasswordResetForm
    extra_email_context = {"shop_name": settings.SHOP_NAME}

    def form_valid(self, form: EmailPasswordResetForm) -> HttpResponse:
        limit = password_reset_throttle(
            client=client_address(self.request), email=form.cleaned_data["email"]
        )
        if limit == RESET_FROM_ADDRESS:
            form.add_error(None, RESET_TOO_OFTEN)
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(settings.PASSWORD_RESET_LIMIT_WINDOW)
            return response
        if limit == RESET_FOR_EMAIL:
            return redirect(self.get_success_url())  # as if sent: see the service
        return super().form_valid(form)


@require_GET
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification email: confirms the address, brings the guest orders."""
    user = email_verify(token=token)
    if user is None:
        messages.error(
            request,
            "That confirmation link is not valid any more. Log in and send a new one from "
            "your profile.",
        )
        return redirect("accounts:profile" if request.user.is_authenticated else "login")
    messages.success(request, f"Thank you: {user.email} is confirmed.")
    return redirect("orders:list" if request.user.is_authenticated else "login")


@login_required
@require_POST
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    """ "Send the confirmation link again": queued for the worker like the first one."""
    user = request.user
    if isinstance(user, User) and verification_request(user=user):
        messages.info(request, f"We are sending a new link to {user.email}.")
    else:
        messages.info(request, "There is no address to confirm.")
    return redirect("accounts:profile")
