class Upgrader(object):
    pass
