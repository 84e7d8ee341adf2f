from django import forms


class StockAlertForm(forms.Form):
    """A guest's address for "Email me when it's back" (a signed-in customer needs none)."""

    email = forms.CharField(label="Your email", max_length=254, required=False)
