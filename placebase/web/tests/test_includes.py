"""The shared form includes: GOV.UK error summary and text input."""

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    email = forms.EmailField(label="Email address", help_text="We will only use it to reply.")
    code = forms.CharField(label="Code", widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


def _render(form) -> str:
    return render_to_string("web/includes/error_summary.html", {"form": form}) + render_to_string(
        "web/includes/field.html", {"field": form["email"]}
    )


def test_a_valid_looking_unbound_form_shows_no_errors():
    html = _render(_Form())
    assert "govuk-error-summary" not in html
    assert 'aria-describedby="id_email-hint"' in html
    assert "govuk-form-group--error" not in html


def test_errors_show_in_the_summary_and_once_beside_the_field():
    form = _Form({"email": "not an email", "code": ""})
    form.add_error("email", "A second problem with the email.")
    html = _render(form)
    assert "There is a problem" in html
    assert '<a href="#id_email">Enter a valid email address.</a>' in html
    assert '<a href="#id_code">This field is required.</a>' in html
    # The whole-form error links to the first field.
    assert '<a href="#id_email">Something about the whole form.</a>' in html
    # One error message per field, so its id is not repeated.
    assert html.count('id="id_email-error"') == 1
    assert "Enter a valid email address. A second problem with the email." in html
    assert 'aria-describedby="id_email-hint id_email-error"' in html
    assert "govuk-input--error" in html and 'value="not an email"' in html


def test_password_values_are_never_echoed_back():
    class PasswordForm(forms.Form):
        password = forms.CharField(widget=forms.PasswordInput, min_length=50)

    form = PasswordForm({"password": "secret-value"})
    assert not form.is_valid()
    html = render_to_string("web/includes/field.html", {"field": form["password"]})
    assert "secret-value" not in html and 'type="password"' in html
    assert 'aria-describedby="id_password-error"' in html
