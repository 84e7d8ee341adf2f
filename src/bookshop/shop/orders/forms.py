from django import forms

from bookshop.shop.orders.models import DELIVERY_ADDRESS_MAX_LENGTH, PHONE_MAX_LENGTH
from bookshop.shop.orders.phone import phone_problem


class CheckoutForm(forms.Form):
    delivery_address = forms.CharField(
        label="Delivery address",
        max_length=DELIVERY_ADDRESS_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        help_text="Name on the door, street and number, postcode and town.",
    )
    phone = forms.CharField(
        label="Phone",
        max_length=PHONE_MAX_LENGTH,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text="Only if the courier should be able to call you.",
    )
    # One per checkout page: a double-clicked "Place order" makes one order, not two.
    token = forms.UUIDField(widget=forms.HiddenInput)
    # The version of the cart the page showed (cart.Cart.version): a page older than the
    # cart cannot order it.
    cart_version = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        problem = phone_problem(phone)
        if problem:
            raise forms.ValidationError(problem, code="invalid")
        return phone


class GuestCheckoutForm(CheckoutForm):
    """Checkout without an account: the email the order's updates and tracking link go to."""

    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send the order's updates and its tracking link here.",
    )
    field_order = ["email", "delivery_address", "phone"]
