"""The Admin Center: ipywidgets pages, forms and dialogs for every procedure of the seed."""

from .account_form import AccountForm
from .admin_center import AdminCenter
from .audit_page import AuditPage
from .delete_dialog import DeleteDialog
from .gateways_page import GatewaysPage
from .history_page import HistoryPage
from .sms_auth import SmsAuthenticationPanel
from .stores_page import IdentityStoresPage
from .test_dialog import TestConnectionDialog

__all__ = [
    "AccountForm",
    "AdminCenter",
    "AuditPage",
    "DeleteDialog",
    "GatewaysPage",
    "HistoryPage",
    "IdentityStoresPage",
    "SmsAuthenticationPanel",
    "TestConnectionDialog",
]
