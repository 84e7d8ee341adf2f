from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm

from bookshop.shop.accounts.emails import EmailAddressFormField, email_normalize

User = get_user_model()

EMAIL_TAKEN = "A user with this email address already exists."
USERNAME_WITH_AT = "A username cannot contain “@”: you can log in with your email address anyway."


def _email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.exists()


class RegistrationForm(UserCreationForm):
    """Sign-up: a username without “@” (customers log in with username or email, so one
    must not look like the other), an email no one else has (normalised, whatever its
    case), a password that passes Django's validators."""

    email = EmailAddressFormField(
        label="Email", max_length=254, help_text="For order updates and password resets."
    )

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]  # the stubs omit Meta
        model = User
        fields = ("username", "email")

    def clean_username(self) -> str:
        username = super().clean_username()
        if "@" in username:
            raise forms.ValidationError(USERNAME_WITH_AT, code="at_sign")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if _email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN, code="unique")
        return email


class ProfileForm(forms.ModelForm):
    """What a customer may change about themselves."""

    email = EmailAddressFormField(label="Email", max_length=254)

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if _email_taken(email, exclude_pk=self.instance.pk):
            raise forms.ValidationError(EMAIL_TAKEN, code="unique")
        return email


class LoginForm(AuthenticationForm):
    """Django's login form; the backend takes a username or an email address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter a correct username or email and password. Note that the "
            "password is case-sensitive."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Username or email"
        self.fields["username"].widget.attrs["autocomplete"] = "username"


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, matching addresses as the shop stores them."""

    email = EmailAddressFormField(label="Email", max_length=254)

    def get_users(self, email: str) -> Iterable[Any]:
        return super().get_users(email_normalize(email))
