"""The pictures in packaging/screenshots/ for the README and the AppStream metadata, each made from a
demo database in a temporary folder (the claim pages' come from tests/web/test_browser.py and test_pocket.py instead):

    python -m tools.screenshots.make_screenshots        # the window, light and dark (the till's too)
    python -m tools.screenshots.analytics_screenshots   # a batch's page and the Channels page
    python -m tools.screenshots.members_screenshot      # the Members page
    python -m tools.screenshots.make_print_screenshots  # the print studio's layouts and preview
    python -m tools.screenshots.voucher_image_screenshot  # the voucher image a member saves from My Cards
"""
