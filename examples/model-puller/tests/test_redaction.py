from model_puller.redaction import Redactor


def test_masks_environment_secrets_userinfo_queries_and_header_values():
    redact = Redactor({"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI", "AWS_ACCESS_KEY_ID": "AKIA123",
                       "models.example-headers": '{"Authorization": "Bearer tok-1234"}', "UNRELATED": "visible"})
    text = ("key wJalrXUtnFEMI id AKIA123 url https://u:p@models.example/m.joblib?sig=zz token tok-1234 "
            "header Bearer tok-1234 and visible")
    assert redact(text) == "key *** id *** url https://***@models.example/m.joblib?*** token *** header *** and visible"
