from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

User = get_user_model()

EMAIL_TAKEN = "A user with this email address already exists."


def _email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.exists()


class RegistrationForm(UserCreationForm):
    """Sign-up: a username, an email no one else has (whatever its case), a password that
    passes Django's validators."""

    email = forms.EmailField(
        label="Email", max_length=254, help_text="For order updates and password resets."
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip()
        if _email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN, code="unique")
        return email


class ProfileForm(forms.ModelForm):
    """What a customer may change about themselves."""

    email = forms.EmailField(label="Email", max_length=254)

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip()
        if _email_taken(email, exclude_pk=self.instance.pk):
            raise forms.ValidationError(EMAIL_TAKEN, code="unique")
        return email
