# Sphinx configuration of the upgrade-tempest-plugin release notes.

extensions = [
    'openstackdocstheme',
    'reno.sphinxext',
]

openstackdocs_repo_name = 'openstack/upgrade-tempest-plugin'
openstackdocs_bug_project = 'upgrade-tempest-plugin'
openstackdocs_bug_tag = ''
openstackdocs_auto_name = False

project = 'upgrade-tempest-plugin release notes'
copyright = 'upgrade-tempest-plugin developers'
source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = []
pygments_style = 'native'
html_theme = 'openstackdocs'
