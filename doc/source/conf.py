# Sphinx configuration of the upgrade-tempest-plugin documentation.

extensions = [
    'openstackdocstheme',
    'oslo_config.sphinxext',
]

openstackdocs_repo_name = 'openstack/upgrade-tempest-plugin'
openstackdocs_bug_project = 'upgrade-tempest-plugin'
openstackdocs_bug_tag = ''
openstackdocs_auto_name = False

project = 'upgrade-tempest-plugin'
copyright = 'upgrade-tempest-plugin developers'
source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = []
pygments_style = 'native'
html_theme = 'openstackdocs'
