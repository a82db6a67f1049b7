"""The documents a buyer receives: numbering, amounts in words and figures, the tenant's
letterhead and tax settings, the PDF kit, and quotations (cost sheets)."""
