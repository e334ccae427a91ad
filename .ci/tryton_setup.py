"""Prepares a fresh Tryton database for custmig's tests: a company (code 1000, EUR), a receivable
account (code 0000140000), payment terms named after the sample code lists (NT00, NT14, NT30, NT60,
S210) and the languages the samples use. Run with the venv's python:
    python tryton_setup.py CONFIG DATABASE
"""
import sys

from trytond import config

config.update_etc(sys.argv[1])
database = sys.argv[2]

from trytond.pool import Pool  # noqa: E402
from trytond.transaction import Transaction  # noqa: E402

Pool.start()
pool = Pool(database)
pool.init()

with Transaction().start(database, 0, context={}) as transaction:
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    Currency = pool.get('currency.currency')
    User = pool.get('res.user')
    Lang = pool.get('ir.lang')
    AccountType = pool.get('account.account.type')
    Account = pool.get('account.account')
    PaymentTerm = pool.get('account.invoice.payment_term')

    eur, = Currency.search([('code', '=', 'EUR')])
    party, = Party.create([{'name': 'Custmig Test GmbH', 'code': '1000', 'addresses': [('create', [{}])]}])
    company, = Company.create([{'party': party.id, 'currency': eur.id}])
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {'companies': [('add', [company.id])], 'company': company.id})

    langs = Lang.search([('code', 'in', ['de', 'fr', 'nl', 'es', 'it', 'en']), ['OR', ('active', '=', True), ('active', '=', False)]])
    Lang.write(langs, {'active': True, 'translatable': False})

with Transaction().start(database, 0, context={'company': 1}) as transaction:
    company, = Company.search([])
    with Transaction().set_context(company=company.id):
        root, = AccountType.create([{'name': 'Balance', 'statement': 'balance', 'company': company.id}])
        receivable, = AccountType.create([{
            'name': 'Receivables', 'statement': 'balance', 'parent': root.id, 'company': company.id,
            'receivable': True, 'assets': True}])
        Account.create([
            {'name': 'Receivables domestic', 'code': '0000140000', 'type': receivable.id, 'party_required': True,
             'company': company.id},
            {'name': 'Receivables foreign', 'code': '0000140100', 'type': receivable.id, 'party_required': True,
             'company': company.id},
        ])
        terms = [('NT00', 'Due immediately', 0), ('NT14', '14 days net', 14), ('NT30', '30 days net', 30),
                 ('NT60', '60 days net', 60), ('S210', '2% 10 days, 30 days net', 30)]
        PaymentTerm.create([{
            'name': name, 'description': description,
            'lines': [('create', [{'type': 'remainder', 'relativedeltas': [('create', [{'days': days}])]}])],
        } for name, description, days in terms])
print('tryton_setup: company 1000, receivable accounts, payment terms, languages ready')
