"""The page's styles: a Python string rather than a .css file, so it ships with the package as code."""

CSS = """
.masthead { font-size: 1.5rem; font-weight: 700; padding: 4px 0 8px; }
.masthead .logo { margin-right: 4px; }
.profile { font-size: 0.9rem; color: var(--body-text-color-subdued); padding: 2px 4px 6px; }
.ranking { font-size: 0.8rem; color: var(--body-text-color-subdued); padding: 2px 4px; }
.working { display: flex; align-items: center; gap: 8px; color: var(--body-text-color-subdued); padding: 6px 2px; }
.spinner { width: 14px; height: 14px; border-radius: 50%; border: 2px solid var(--border-color-primary);
           border-top-color: var(--color-accent); animation: shop-spin 0.8s linear infinite; }
@keyframes shop-spin { to { transform: rotate(360deg); } }
.notice { color: var(--error-text-color, #b42318); padding: 6px 2px; }
.shelf-head { font-weight: 600; font-size: 1.1rem; padding: 2px 0 4px; }
.shelf-empty { color: var(--body-text-color-subdued); padding: 12px 2px; }
.card-box { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px !important;
            background: var(--background-fill-primary); gap: 6px !important; }
.shop-card { display: flex; gap: 12px; align-items: flex-start; }
.shop-card-picture { width: 96px; height: 96px; border-radius: 8px; object-fit: cover; flex: none; }
.shop-card-body { display: flex; flex-direction: column; gap: 3px; min-width: 0; }
.shop-card-title { font-weight: 600; font-size: 1rem; }
.shop-card-price { font-weight: 600; color: var(--color-accent); }
.shop-card-meta, .shop-card-reason { font-size: 0.9rem; }
.shop-card-reason { color: var(--body-text-color-subdued); }
.shop-card-mark { font-size: 0.85rem; margin-top: 2px; }
.shop-card[data-mark="dislike"] { opacity: 0.55; }
.card-actions { gap: 6px !important; }
"""
