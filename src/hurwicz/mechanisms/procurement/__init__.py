"""Procurement: reverse auctions and budget-feasible mechanisms for recruiting sellers (data
holders, federated-learning clients). Reports are costs; ``payments[seller]`` is minus the
price paid to it.

Example:
    >>> import hurwicz as hz
    >>> sorted(n for n in hz.names() if n.startswith("procurement."))
    ['procurement.budget_feasible', 'procurement.kth_price', 'procurement.vcg']
"""
